/**
 * Which file a language-server command is about, from its JSON arguments (djgen.generate,
 * djgen.generateAll and djgen.preview all take a models.py URI), so the command reaches the server
 * of that file's workspace folder.
 *
 * Pure logic (no `vscode` import).
 */

const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** The first argument that is a URI string (`file:///…`), or undefined. */
export function uriArgument(args: readonly unknown[]): string | undefined {
  return args.find((arg): arg is string => typeof arg === "string" && URI.test(arg));
}
