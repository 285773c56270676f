import { ErrorCode } from '../errors.ts';
import { execFile } from './exec.ts';

const HINT = 'install Docker, or run `npm run setup:host` on a Debian host';

/** True when the local Docker engine has this image (no pull is attempted). */
export async function dockerImageExists(image: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await execFile('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { signal, code: ErrorCode.Kind, missingHint: HINT });
    return true;
  } catch {
    return false;
  }
}
