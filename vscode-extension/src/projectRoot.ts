/**
 * Where the Django project is inside a workspace folder: the folder holding manage.py, which is
 * the language server's working directory (so models.py → IR → generators resolve the project's
 * apps and pyproject.toml from there).
 *
 * Pure logic over a small directory-listing interface; unit-tested without VS Code.
 */
import * as path from "path";

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface DirLister {
  /** Entries of `dir`; an unreadable folder lists as empty. */
  list(dir: string): DirEntry[];
}

/** Folders never searched: tooling, environments, caches, dependencies. */
const SKIPPED = new Set([
  "node_modules",
  "__pycache__",
  "site-packages",
  "venv",
  "env",
  "dist",
  "build",
]);

export function isSkipped(name: string): boolean {
  return name.startsWith(".") || SKIPPED.has(name);
}

/**
 * The shallowest folder at or below `root` (breadth first, at most `maxDepth` levels down) that
 * holds a `manage.py`; ties at one depth go to the alphabetically first. `undefined` if none.
 */
export function findProjectRoot(root: string, lister: DirLister, maxDepth = 4): string | undefined {
  let level = [root];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      const entries = lister.list(dir);
      if (entries.some((e) => !e.isDirectory && e.name === "manage.py")) {
        return dir;
      }
      for (const entry of entries.filter((e) => e.isDirectory && !isSkipped(e.name)).sort(byName)) {
        next.push(path.join(dir, entry.name));
      }
    }
    level = next;
  }
  return undefined;
}

function byName(a: DirEntry, b: DirEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Whether `root` looks like Django code djgen can work on: a `manage.py`, a `models.py` or a
 * `models/` package within `maxDepth` levels (skipping environments and tooling folders).
 * Folders without any get no language server.
 */
export function hasDjangoCode(root: string, lister: DirLister, maxDepth = 4): boolean {
  let level = [root];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      for (const entry of lister.list(dir)) {
        if (entry.isDirectory && isSkipped(entry.name)) {
          continue;
        }
        if (entry.name === "manage.py" || entry.name === "models.py" || (entry.isDirectory && entry.name === "models")) {
          return true;
        }
        if (entry.isDirectory) {
          next.push(path.join(dir, entry.name));
        }
      }
    }
    level = next;
  }
  return false;
}
