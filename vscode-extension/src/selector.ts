/**
 * Which documents and files the language server hears about for one workspace folder: the models
 * modules it analyses (models.py → IR) and the app files the generators write (serializers.py,
 * filters.py, views.py, urls.py, admin.py, consumers.py, migrations/), whose open buffers the
 * server merges into instead of the text on disk.
 *
 * Pure logic (no `vscode` import).
 */

/** Globs (relative to a workspace folder) of documents synchronised with the server. */
export const DOCUMENT_GLOBS: readonly string[] = [
  "**/models{**/,}*.py",
  "**/models.py",
  "**/models/**/*.py",
  "**/{serializers,filters,views,viewsets,urls,admin,consumers,routing,tests,signals,settings}.py",
  "**/{serializers,filters,views,viewsets,admin,consumers,tests}/**/*.py",
  "**/migrations/*.py",
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
