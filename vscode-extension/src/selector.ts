/**
 * Which documents and files the language server hears about for one workspace folder: the models
 * modules it analyses (models.py → IR), the files the generators write or watch (from their
 * descriptors: serializers.py, filters.py, views.py, urls.py, admin.py, migrations/, …), whose open
 * buffers the server merges into instead of the text on disk, and the project files every
 * analysis may read (settings, apps.py, urls.py, asgi.py; the server's own always-watched list).
 *
 * Pure logic (no `vscode` import).
 */
import { GENERATED_FILE_GLOBS } from "./generated/generators";

/** Models modules: `models.py` and the modules of a `models/` package. */
const MODELS_GLOBS: readonly string[] = ["**/models{**/,}*.py", "**/models.py", "**/models/**/*.py"];

/** Project files whose text can change any diagnostic, whatever the generators. */
const PROJECT_GLOBS: readonly string[] = ["**/{settings,apps,urls,asgi}.py", "**/settings/*.py"];

/** Globs (relative to a workspace folder) of documents synchronised with the server. */
export const DOCUMENT_GLOBS: readonly string[] = [
  ...new Set([...MODELS_GLOBS, ...GENERATED_FILE_GLOBS, ...PROJECT_GLOBS]),
];

/** Globs (relative to a workspace folder) of files whose changes on disk the server is told of. */
export const WATCHED_GLOBS: readonly string[] = ["**/*.py", "**/pyproject.toml"];

/** Make a file-system path literal inside a glob (VS Code globs have no backslash escapes). */
export function escapeGlob(fsPath: string): string {
  return fsPath.replace(/\\/g, "/").replace(/[[\]{}*?]/g, (c) => `[${c}]`);
}

/** Absolute-path globs for one folder, for an LSP document selector. */
export function documentPatterns(folderPath: string): string[] {
  const base = escapeGlob(folderPath).replace(/\/+$/, "");
  return DOCUMENT_GLOBS.map((glob) => `${base}/${glob}`);
}
