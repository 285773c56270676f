import { finding } from '../context.ts';
import type { Rule } from '../types.ts';

export const emptyDirBlocksDrain: Rule = {
  id: 'emptydir-blocks-drain',
  severity: 'warning',
  description:
    'A pod that drains must move mounts an emptyDir volume: kubectl drain refuses it unless --delete-emptydir-data, and with that flag the data is lost.',
  help: 'If the emptyDir data is disposable, drain with --delete-emptydir-data (zdt verify --delete-emptydir-data); otherwise keep it in a PersistentVolumeClaim.',
  check(ctx) {
    // Drains skip DaemonSet pods, and a bare Pod is refused anyway (pod-without-controller).
    return ctx.workloads
      .filter((w) => w.controlled && w.kind !== 'DaemonSet')
      .flatMap((w) => {
        const volumes = (w.spec?.volumes ?? []).filter((v) => v.emptyDir !== undefined).map((v) => `"${v.name}"`);
        if (volumes.length === 0) return [];
        const list = volumes.join(', ');
        return [
          finding(
            emptyDirBlocksDrain,
            w.manifest,
            `emptyDir volume ${list}: kubectl drain refuses these pods unless --delete-emptydir-data, which deletes the data`,
            `drain with --delete-emptydir-data (zdt verify --delete-emptydir-data) if the data in volume ${list} is disposable, else replace its emptyDir with a persistentVolumeClaim`,
          ),
        ];
      });
  },
};
