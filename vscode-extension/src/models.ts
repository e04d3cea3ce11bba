/**
 * Finds class definitions in a models.py buffer, to know which model the cursor is in when a
 * command (generate for model, preview) runs without arguments. The server decides what is a
 * Django model; this only names candidates, from the text the editor holds.
 *
 * Pure logic (no `vscode` import).
 */

export interface ClassSpan {
  name: string;
  /** 0-based line of the `class` keyword. */
  startLine: number;
  /** 0-based last line of the class body (before the next top-level statement). */
  endLine: number;
}

const CLASS_LINE = /^class\s+([A-Za-z_][A-Za-z0-9_]*)\s*[(:]/;

/** Top-level classes, in order, with their line spans. */
export function topLevelClasses(text: string): ClassSpan[] {
  const lines = text.split(/\r?\n/);
  const spans: ClassSpan[] = [];
  let current: ClassSpan | undefined;
  let lastContent = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === "" || (trimmed.startsWith("#") && /^\s/.test(line))) {
      continue;
    }
    const topLevel = !/^\s/.test(line);
    if (topLevel && !line.startsWith("#") && !line.startsWith(")")) {
      if (current) {
        current.endLine = lastContent;
        spans.push(current);
        current = undefined;
      }
      const match = CLASS_LINE.exec(line);
      if (match) {
        current = { name: match[1], startLine: i, endLine: i };
      }
    }
    if (!line.startsWith("#")) {
      lastContent = i;
    }
  }
  if (current) {
    current.endLine = lastContent;
    spans.push(current);
  }
  return spans;
}

/** The class whose span holds `line` (0-based), if any. */
export function classAtLine(text: string, line: number): string | undefined {
  return topLevelClasses(text).find((span) => span.startLine <= line && line <= span.endLine)?.name;
}
