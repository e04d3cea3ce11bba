// Generates the extension's generator-dependent parts from djgen's generator descriptors, so
// nothing about which generators exist is maintained by hand here:
//
//   src/generated/generators.ts   typed constants (names, defaults, severities, quick-fix kinds, …)
//   package.json                  contributes: the djgen.generators toggles, the
//                                 djgen.severity.<generator> settings, the djgen.layout enum and the
//                                 quickfix.djgen.* code-action kinds; everything else is kept as is
//   README.md                     the block between <!-- generated:generators --> markers
//
// The data comes from `python -m djgen.generators.cli list --json` (descriptors, schema 1) plus
// djgen's LAYOUTS and SEVERITIES (not part of that JSON). Only built-in generators are used: a
// plugin installed in the developer's environment must not end up in the published manifest.
//
//   node scripts/generators.mjs           write the files that changed
//   node scripts/generators.mjs --check   write nothing; exit 1 with a diff when a file is stale
//   node scripts/generators.mjs --include-plugins --out DIR
//                                         a team's own build: plugin generators included, the
//                                         three files written under DIR (same relative paths)
//
// Python: $DJGEN_PYTHON, else the repository's .venv, else python3 from PATH (as bundle-wheel.mjs).
// Exit codes: 0 up to date / written, 1 stale (--check), 2 djgen could not be run or read.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const extensionDir = resolve(here, "..");
const repo = resolve(extensionDir, "..");
const venvPython = join(repo, ".venv", "bin", "python");
const python = process.env.DJGEN_PYTHON || (existsSync(venvPython) ? venvPython : "python3");
const check = process.argv.includes("--check");
const includePlugins = process.argv.includes("--include-plugins");
const outIndex = process.argv.indexOf("--out");
const outDir = outIndex >= 0 ? resolve(process.argv[outIndex + 1] ?? ".") : null;

const paths = {
  ts: join(extensionDir, "src", "generated", "generators.ts"),
  manifest: join(extensionDir, "package.json"),
  readme: join(extensionDir, "README.md"),
};

/** What each layout means, for the settings UI (the names themselves come from djgen). */
const LAYOUT_DESCRIPTIONS = {
  flat: "Modules next to models.py: serializers.py, filters.py, pagination.py, views.py, urls.py, admin.py.",
  api: "An api/ package in the app: api/serializers.py, api/filters.py, api/pagination.py, api/views.py, api/urls.py; admin.py stays next to models.py.",
};

function fail(message) {
  console.error(`generators: ${message}`);
  process.exit(2);
}

function runPython(args, what) {
  try {
    return execFileSync(python, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], cwd: repo });
  } catch (error) {
    const stderr = String(error.stderr ?? "").trim();
    fail(
      `${what} with ${python} failed: ${error.message.split("\n")[0]}${stderr ? `\n${stderr}` : ""}\n` +
        "Set DJGEN_PYTHON to a Python with djgen installed (pip install -e .. from vscode-extension/).",
    );
  }
}

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(`${what} is not JSON: ${error.message}`);
  }
}

// -- read djgen ---------------------------------------------------------------------------------

const listing = parseJson(
  runPython(["-m", "djgen.generators.cli", "list", "--json"], "`djgen list --json`"),
  "`djgen list --json`",
);
if (listing.schema !== 1) {
  fail(`\`djgen list --json\` has schema ${JSON.stringify(listing.schema)}; this script reads schema 1`);
}
const constants = parseJson(
  runPython(
    [
      "-c",
      "import json; from djgen.generators.core.config import LAYOUTS, SEVERITIES; " +
        'print(json.dumps({"layouts": list(LAYOUTS), "severities": list(SEVERITIES)}))',
    ],
    "reading djgen's LAYOUTS and SEVERITIES",
  ),
  "djgen's LAYOUTS and SEVERITIES",
);

const skipped = includePlugins
  ? []
  : listing.generators.filter((g) => g.origin !== "builtin").map((g) => `${g.name} (${g.origin})`);
if (skipped.length > 0) {
  console.error(`generators: ignoring generators from plugins: ${skipped.join(", ")}`);
}
const generators = listing.generators
  .filter((g) => includePlugins || g.origin === "builtin")
  .map((g) => ({
    name: g.name,
    description: g.description,
    requires: g.requires,
    after: g.after,
    scope: g.scope,
    targets: g.targets,
    watches: g.watches,
    diagnostic: g.diagnostic,
    options: g.options,
  }));
const contract = listing.contract;
const diagnosed = generators.filter((g) => g.diagnostic !== null);
const severities = constants.severities;
const layouts = constants.layouts;
for (const g of diagnosed) {
  if (!severities.includes(g.diagnostic.severity)) {
    fail(`generator ${g.name}: default severity ${JSON.stringify(g.diagnostic.severity)} is not one of ${severities.join(", ")}`);
  }
}
for (const layout of layouts) {
  if (!(layout in LAYOUT_DESCRIPTIONS)) {
    console.error(`generators: no description for layout "${layout}"; add one to LAYOUT_DESCRIPTIONS in scripts/generators.mjs`);
  }
}

const names = generators.map((g) => g.name);
const known = [...contract, ...names.filter((n) => !contract.includes(n))];
// As the server decides: a "missing" diagnostic (not the migrations check, which has its own
// opt-in setting) that is enabled by default.
const checkOf = (g) => g.diagnostic.check ?? "missing";
const missing = diagnosed.filter((g) => checkOf(g) === "missing").map((g) => g.name);
const defaults = diagnosed.filter((g) => checkOf(g) === "missing" && g.diagnostic.defaultEnabled).map((g) => g.name);
const byName = (f) => Object.fromEntries(diagnosed.map((g) => [g.name, f(g)]));

/** Globs (relative to a workspace folder) of the files generators write or watch. */
function fileGlobs() {
  const files = [];
  const others = [];
  const add = (list, item) => {
    if (!list.includes(item)) list.push(item);
  };
  for (const g of generators) {
    for (const watch of g.watches) {
      if (watch.endsWith("/")) add(others, `**/${watch}*.py`);
      else add(files, watch);
    }
  }
  for (const g of generators) {
    for (const target of g.targets) {
      const rel = target.replace(/^\{(app|project)\}\//, "");
      const base = rel.split("/").filter(Boolean).at(-1) ?? rel;
      if (rel.endsWith("/")) add(others, `**/${rel}*.py`);
      else if (files.includes(base)) continue; // api/serializers.py: **/serializers.py has it
      else if (rel.includes("/")) add(others, `**/${rel}`);
      else add(files, rel);
    }
  }
  const stems = files.filter((f) => /^[\w-]+\.py$/.test(f)).map((f) => f.slice(0, -3));
  const rest = files.filter((f) => !/^[\w-]+\.py$/.test(f)).map((f) => `**/${f}`);
  const grouped = stems.length > 1 ? [`**/{${stems.join(",")}}.py`] : stems.map((s) => `**/${s}.py`);
  return [...grouped, ...rest, ...others];
}

// -- src/generated/generators.ts ------------------------------------------------------------------

const json = (value) => JSON.stringify(value, null, 2);
const union = (values) => values.map((v) => JSON.stringify(v)).join(" | ") || "never";

function generatedTs() {
  return `// Generated by scripts/generators.mjs from \`djgen list --json\` (schema ${listing.schema}): do not edit.
// Regenerate with \`npm run generate\`; \`npm test\` fails when this file is stale.

/** A diagnostic's severity in the editor ("off": offered as an action only). */
export type Severity = ${union(severities)};

/** Where generated code goes in an app (djgen's LAYOUTS). */
export type Layout = ${union(layouts)};

export interface DiagnosticInfo {
  /** The diagnostic code, e.g. "djgen.missing-serializer". */
  readonly code: string;
  /** What a model lacks, finishing "Book has no …". */
  readonly what: string;
  /** The phrase in "Generate <title> for Book". */
  readonly title: string;
  /** The severity when the user configured none. */
  readonly severity: Severity;
  /** One sentence about what the quick fix writes. */
  readonly hover: string;
  /** Whether the server offers it unless turned off. */
  readonly defaultEnabled: boolean;
  /** The code-action kind of its quick fix. */
  readonly quickfixKind: string;
  /** What the server checks: "missing" (the model lacks the code) or another check. */
  readonly check?: string;
}

export interface OptionInfo {
  readonly name: string;
  readonly type: "bool" | "int" | "str" | "choice" | "list";
  readonly default: unknown;
  readonly description: string;
  readonly choices?: readonly string[];
}

export interface GeneratorInfo {
  readonly name: string;
  readonly description: string;
  readonly requires: readonly string[];
  readonly after: readonly string[];
  readonly scope: "app" | "project";
  readonly targets: readonly string[];
  readonly watches: readonly string[];
  /** null: no diagnostic; offered only by generate and generateAll. */
  readonly diagnostic: DiagnosticInfo | null;
  readonly options: readonly OptionInfo[];
}

/** Every built-in generator djgen has, in its listing order. */
export const GENERATORS: readonly GeneratorInfo[] = ${json(generators)};

/** The product's contract: every built-in generator name, implemented or not, in display order. */
export const CONTRACT_GENERATORS: readonly string[] = ${json(contract)};

/** The implemented generators, in listing order. */
export const AVAILABLE_GENERATORS: readonly string[] = ${json(names)};

/** Every name the server accepts in its \`generators\` setting, in its order. */
export const KNOWN_GENERATORS: readonly string[] = ${json(known)};

/** Generators whose absence is a diagnostic; each has a \`djgen.severity.<name>\` setting. */
export const DIAGNOSED_GENERATORS: readonly string[] = ${json(diagnosed.map((g) => g.name))};

/** Generators whose diagnostic says a model lacks their code (not a check like migrations'). */
export const MISSING_KINDS: readonly string[] = ${json(missing)};

/** Generators the server offers when nothing says otherwise. */
export const DEFAULT_GENERATORS: readonly string[] = ${json(defaults)};

/** The severities a \`djgen.severity.<name>\` setting accepts. */
export const SEVERITIES: readonly Severity[] = ${json(severities)};

/** Each diagnosed generator's severity when the user configured none. */
export const DEFAULT_SEVERITIES: Readonly<Record<string, Severity>> = ${json(byName((g) => g.diagnostic.severity))};

/** Each diagnosed generator's quick-fix code-action kind. */
export const QUICKFIX_KINDS: Readonly<Record<string, string>> = ${json(byName((g) => g.diagnostic.quickfixKind))};

/** Each diagnosed generator's diagnostic code. */
export const DIAGNOSTIC_CODES: Readonly<Record<string, string>> = ${json(byName((g) => g.diagnostic.code))};

/** The phrase in "Generate <title> for Book", per diagnosed generator. */
export const TITLES: Readonly<Record<string, string>> = ${json(byName((g) => g.diagnostic.title))};

/** Every generator's one-line description. */
export const DESCRIPTIONS: Readonly<Record<string, string>> = ${json(Object.fromEntries(generators.map((g) => [g.name, g.description])))};

/** The layouts the server accepts for \`layout\`. */
export const LAYOUTS: readonly Layout[] = ${json(layouts)};

/** Globs (relative to a workspace folder) of the files the generators write or watch. */
export const GENERATED_FILE_GLOBS: readonly string[] = ${json(fileGlobs())};
`;
}

// -- package.json ---------------------------------------------------------------------------------

const SEVERITY_PREFIX = "djgen.severity.";

/** The settings that turn on a diagnostic that is not a "missing" one, by its check. */
const CHECK_SETTINGS = { migrations: "djgen.migrationCheck" };

function toggleDescription(g) {
  const on = defaults.includes(g.name);
  const text = `Writes ${g.description}. ${on ? "On unless set to false" : "Off unless set to true"}`;
  if (checkOf(g) === "missing") {
    return `${text}.`;
  }
  const setting = CHECK_SETTINGS[checkOf(g)];
  return `${text} (then "generate everything" includes it); its diagnostic is ${setting ? `turned on by ${setting}` : `the "${checkOf(g)}" check`}.`;
}

function severitySetting(g) {
  return {
    type: "string",
    enum: severities,
    default: g.diagnostic.severity,
    scope: "resource",
    description: `How a model with no ${g.diagnostic.what} is reported. Quick fix: ${g.diagnostic.hover}`,
  };
}

function layoutSetting(old) {
  return {
    type: "string",
    enum: layouts,
    enumDescriptions: layouts.map((l) => LAYOUT_DESCRIPTIONS[l] ?? `The "${l}" layout.`),
    default: layouts[0],
    scope: old?.scope ?? "resource",
    description:
      "Where generated code goes in the app. Not set: the project's [tool.djgen] layout decides " +
      `(${layouts[0]} when it has none). The old values "module" and "package" still work, as "flat" and "api".`,
  };
}

function generatedManifest(text) {
  const manifest = parseJson(text, "package.json");
  const contributes = manifest.contributes ?? fail("package.json has no contributes");
  const properties = contributes.configuration?.properties ?? fail("package.json has no contributes.configuration.properties");

  const toggles = properties["djgen.generators"] ?? fail('package.json has no "djgen.generators" setting');
  toggles.properties = Object.fromEntries(
    diagnosed.map((g) => [
      g.name,
      {
        type: "boolean",
        default: defaults.includes(g.name),
        description: toggleDescription(g),
      },
    ]),
  );

  // The djgen.severity.* settings go where the first of them is (after djgen.generators if none).
  const rebuilt = {};
  let placed = false;
  const placeSeverities = () => {
    for (const g of diagnosed) rebuilt[`${SEVERITY_PREFIX}${g.name}`] = severitySetting(g);
    placed = true;
  };
  for (const [key, value] of Object.entries(properties)) {
    if (key.startsWith(SEVERITY_PREFIX)) {
      if (!placed) placeSeverities();
      continue;
    }
    rebuilt[key] = key === "djgen.layout" ? layoutSetting(value) : value;
    if (key === "djgen.generators" && !Object.keys(properties).some((k) => k.startsWith(SEVERITY_PREFIX))) {
      placeSeverities();
    }
  }
  if (!("djgen.layout" in rebuilt)) fail('package.json has no "djgen.layout" setting');
  contributes.configuration.properties = rebuilt;

  // The quickfix.djgen.* code-action kinds go where the first of them is; other kinds stay.
  const kinds = new Set(diagnosed.map((g) => g.diagnostic.quickfixKind));
  const isGenerated = (action) => kinds.has(action.kind) || /^quickfix\.djgen\./.test(action.kind);
  for (const entry of contributes.codeActions ?? []) {
    if (!(entry.actions ?? []).some(isGenerated)) continue;
    const actions = [];
    let done = false;
    for (const action of entry.actions) {
      if (!isGenerated(action)) {
        actions.push(action);
      } else if (!done) {
        for (const g of diagnosed) {
          actions.push({
            kind: g.diagnostic.quickfixKind,
            title: `djgen: generate ${g.diagnostic.title}`,
            description: g.diagnostic.hover,
          });
        }
        done = true;
      }
    }
    entry.actions = actions;
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

// -- README.md ------------------------------------------------------------------------------------

const BEGIN = "<!-- generated:generators (scripts/generators.mjs; do not edit by hand) -->";
const END = "<!-- /generated:generators -->";

function generatedReadme(text) {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    return text; // no block to keep up to date
  }
  const cell = (s) => s.replace(/\|/g, "\\|");
  const rows = diagnosed.map(
    (g) =>
      `| \`${g.name}\` | ${defaults.includes(g.name) ? "on" : "off"} | \`${g.diagnostic.severity}\` | ` +
        `\`${g.diagnostic.code}\` | \`${g.diagnostic.quickfixKind}\` | ${cell(g.description)} |`,
  );
  const block = [
    BEGIN,
    "| Generator | `djgen.generators` default | `djgen.severity.<generator>` default | Diagnostic code | Quick-fix kind | Writes |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "`djgen.layout`:",
    "",
    ...layouts.map((l) => `- \`${l}\`: ${LAYOUT_DESCRIPTIONS[l] ?? `the "${l}" layout.`}`),
    END,
  ].join("\n");
  return text.slice(0, start) + block + text.slice(end + END.length);
}

// -- write or check ---------------------------------------------------------------------------------

/** A unified-style diff of two texts (line LCS, 2 lines of context), for --check. */
function diff(before, after, label) {
  const a = before.split("\n");
  const b = after.split("\n");
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push([" ", a[i++], i, j++]);
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push(["-", a[i++], i, j]);
    else ops.push(["+", b[j++], i, j]);
  }
  const out = [`--- ${label} (on disk)`, `+++ ${label} (generated)`];
  const context = 2;
  let k = 0;
  while (k < ops.length) {
    if (ops[k][0] === " ") {
      k++;
      continue;
    }
    let from = Math.max(0, k - context);
    let to = k;
    while (to < ops.length) {
      if (ops[to][0] !== " ") {
        to++;
        continue;
      }
      let run = to;
      while (run < ops.length && ops[run][0] === " ") run++;
      if (run === ops.length || run - to > 2 * context) break;
      to = run;
    }
    to = Math.min(ops.length, to + context);
    out.push(`@@ line ${ops[from][2]} @@`);
    for (const [op, line] of ops.slice(from, to)) out.push(`${op}${line}`);
    k = to;
  }
  return out.join("\n");
}

const outputs = [
  [paths.ts, generatedTs()],
  [paths.manifest, generatedManifest(readFileSync(paths.manifest, "utf8"))],
  [paths.readme, generatedReadme(readFileSync(paths.readme, "utf8"))],
];
let stale = 0;
for (const [source, text] of outputs) {
  const label = relative(extensionDir, source);
  const path = outDir ? join(outDir, label) : source;
  const current = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (current === text) {
    continue;
  }
  if (check) {
    stale++;
    console.error(current === null ? `--- ${label} is missing` : diff(current, text, label));
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`generators: wrote ${label}`);
  }
}
if (check && stale > 0) {
  console.error(
    `\ngenerators: ${stale} file(s) differ from djgen's generator descriptors (${python}); ` +
      "run `npm run generate` in vscode-extension/ and commit the result.",
  );
  process.exit(1);
}
if (check) {
  console.log("generators: src/generated/generators.ts, package.json and README.md match djgen's descriptors");
}
