/**
 * VS Code's `djgen.*` settings → the language server's settings object (the JSON the server reads
 * from `initializationOptions` and `workspace/configuration`, section `djgen`), which decides what
 * the server reports for models.py and what its generators write.
 *
 * Only settings the user actually set (in user, workspace or folder scope) are sent, so the server's
 * own defaults and the project's `[tool.djgen]` stay in charge of everything else.
 * Pure logic (no `vscode` import), unit-tested with a fake reader.
 */

import {
  DEFAULT_GENERATORS,
  DIAGNOSED_GENERATORS,
  KNOWN_GENERATORS,
  type Layout,
  LAYOUTS,
  type Severity,
  SEVERITIES,
} from "./generated/generators";

/** The old `djgen.layout` values (before the server's "flat" | "api") and what they meant. */
export const LEGACY_LAYOUTS: Readonly<Record<string, Layout>> = { module: "flat", package: "api" };

/** What the server reads (camelCase JSON); every key optional. */
export interface ServerSettings {
  diagnosticsDelayMs?: number;
  generators?: string[];
  severities?: Record<string, Severity>;
  codeLens?: boolean;
  layout?: Layout;
  migrationCheck?: boolean;
  driftCheck?: boolean;
}

/** A setting's effective value and whether the user set it anywhere (vs. the manifest default). */
export interface SettingRead {
  value: unknown;
  isSet: boolean;
}

/** Reads one key below `djgen.` (e.g. "severity.admin") for one workspace folder. */
export type SettingsReader = (key: string) => SettingRead;

export interface MappedSettings {
  settings: ServerSettings;
  /** Readable sentences about ignored or rewritten values (shown in the output channel). */
  problems: string[];
}

function isOneOf<T extends string>(value: unknown, values: readonly T[]): value is T {
  return typeof value === "string" && (values as readonly string[]).includes(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{"admin": false, "jwt": true}` → the enabled list, starting from the defaults. */
export function enabledGenerators(toggles: Record<string, unknown>, problems: string[]): string[] {
  const enabled = new Set(DEFAULT_GENERATORS);
  for (const [name, on] of Object.entries(toggles)) {
    if (!KNOWN_GENERATORS.includes(name)) {
      problems.push(`djgen.generators: unknown generator "${name}" (ignored); known: ${KNOWN_GENERATORS.join(", ")}.`);
    } else if (typeof on !== "boolean") {
      problems.push(`djgen.generators.${name} must be true or false (ignored).`);
    } else if (on) {
      enabled.add(name);
    } else {
      enabled.delete(name);
    }
  }
  return KNOWN_GENERATORS.filter((name) => enabled.has(name));
}

export function toServerSettings(read: SettingsReader): MappedSettings {
  const settings: ServerSettings = {};
  const problems: string[] = [];

  const delay = read("diagnosticsDelayMs");
  if (delay.isSet) {
    if (typeof delay.value === "number" && Number.isInteger(delay.value) && delay.value >= 0) {
      settings.diagnosticsDelayMs = delay.value;
    } else {
      problems.push(`djgen.diagnosticsDelayMs must be a whole number ≥ 0 (ignored): ${JSON.stringify(delay.value)}.`);
    }
  }

  const generators = read("generators");
  if (generators.isSet) {
    if (isPlainObject(generators.value)) {
      if (Object.keys(generators.value).length > 0) {
        settings.generators = enabledGenerators(generators.value, problems);
      }
    } else {
      problems.push('djgen.generators must be an object like {"admin": false} (ignored).');
    }
  }

  for (const kind of DIAGNOSED_GENERATORS) {
    const severity = read(`severity.${kind}`);
    if (!severity.isSet) {
      continue;
    }
    if (isOneOf(severity.value, SEVERITIES)) {
      settings.severities = { ...settings.severities, [kind]: severity.value };
    } else {
      problems.push(`djgen.severity.${kind} must be one of ${SEVERITIES.join(", ")} (ignored).`);
    }
  }

  for (const key of ["codeLens", "migrationCheck", "driftCheck"] as const) {
    const flag = read(key);
    if (!flag.isSet) {
      continue;
    }
    if (typeof flag.value === "boolean") {
      settings[key] = flag.value;
    } else {
      problems.push(`djgen.${key} must be true or false (ignored).`);
    }
  }

  const layout = read("layout");
  if (layout.isSet && layout.value !== "" && layout.value !== null && layout.value !== undefined) {
    const legacy =
      typeof layout.value === "string" && Object.hasOwn(LEGACY_LAYOUTS, layout.value)
        ? LEGACY_LAYOUTS[layout.value]
        : undefined;
    if (isOneOf(layout.value, LAYOUTS)) {
      settings.layout = layout.value;
    } else if (legacy !== undefined && LAYOUTS.includes(legacy)) {
      settings.layout = legacy;
      problems.push(
        `djgen.layout "${String(layout.value)}" is an old value: sending "${legacy}" instead; ` +
          `change the setting to "${legacy}" (valid: ${LAYOUTS.join(", ")}).`,
      );
    } else {
      problems.push(`djgen.layout must be one of ${LAYOUTS.join(", ")} (ignored).`);
    }
  }

  return { settings, problems };
}

/** Settings whose change means the server must be started again (a new process or new options). */
export const RESTART_KEYS: readonly string[] = [
  "interpreter",
  "diagnosticsDelayMs",
  "generators",
  "severity",
  "codeLens",
  "layout",
  "migrationCheck",
  "driftCheck",
];
