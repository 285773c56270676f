/**
 * What a run has made on the host or cluster and not yet undone, with the command that undoes
 * each: printed when a second Ctrl-C exits without cleanup, so nothing is left unknown.
 */
export class Leftovers {
  readonly #items = new Map<string, string>();

  /** `key` names the thing ("namespace/zdt-x"); `undo` is the command a person runs to remove it. */
  add(key: string, undo: string): void {
    this.#items.set(key, undo);
  }

  delete(key: string): void {
    this.#items.delete(key);
  }

  /** Removes every key that starts with `prefix` (e.g. all cordoned nodes once they are reset). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.#items.keys()]) if (key.startsWith(prefix)) this.#items.delete(key);
  }

  /** One line each: "namespace/zdt-x: kubectl delete namespace zdt-x". */
  list(): string[] {
    return [...this.#items].map(([key, undo]) => `${key}: ${undo}`);
  }
}
