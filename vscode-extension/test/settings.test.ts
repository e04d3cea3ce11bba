import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_GENERATORS,
  DEFAULT_SEVERITIES,
  DIAGNOSED_GENERATORS,
  KNOWN_GENERATORS,
  LAYOUTS,
  SEVERITIES,
} from "../src/generated/generators";
import { type SettingsReader, toServerSettings } from "../src/settings";

/** The server's order of `names`: the defaults minus `off`, plus `on`. */
function expected(off: string[], on: string[]): string[] {
  return KNOWN_GENERATORS.filter((n) => (DEFAULT_GENERATORS.includes(n) && !off.includes(n)) || on.includes(n));
}

/** A default generator to turn off, and a known generator that is not on by default. */
const ON_BY_DEFAULT = DEFAULT_GENERATORS[DEFAULT_GENERATORS.length - 1];
const OFF_BY_DEFAULT = KNOWN_GENERATORS.filter((n) => !DEFAULT_GENERATORS.includes(n));

/** A reader over the settings the user set; everything else reads as the manifest default. */
function reader(set: Record<string, unknown>): SettingsReader {
  return (key) => (key in set ? { value: set[key], isSet: true } : { value: undefined, isSet: false });
}

describe("toServerSettings", () => {
  it("sends nothing when the user set nothing (server and [tool.djgen] defaults stay)", () => {
    assert.deepEqual(toServerSettings(reader({})), { settings: {}, problems: [] });
  });

  it("maps every setting to the server's camelCase keys", () => {
    const { settings, problems } = toServerSettings(
      reader({
        diagnosticsDelayMs: 0,
        generators: { [ON_BY_DEFAULT]: false, [OFF_BY_DEFAULT[0]]: true },
        [`severity.${DIAGNOSED_GENERATORS[0]}`]: "warning",
        [`severity.${DIAGNOSED_GENERATORS[DIAGNOSED_GENERATORS.length - 1]}`]: "off",
        codeLens: false,
        layout: LAYOUTS[LAYOUTS.length - 1],
        migrationCheck: true,
        driftCheck: false,
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      diagnosticsDelayMs: 0,
      generators: expected([ON_BY_DEFAULT], [OFF_BY_DEFAULT[0]]),
      severities: {
        [DIAGNOSED_GENERATORS[0]]: "warning",
        [DIAGNOSED_GENERATORS[DIAGNOSED_GENERATORS.length - 1]]: "off",
      },
      codeLens: false,
      layout: LAYOUTS[LAYOUTS.length - 1],
      migrationCheck: true,
      driftCheck: false,
    });
  });

  it("sends the server's layouts as they are", () => {
    for (const layout of LAYOUTS) {
      assert.deepEqual(toServerSettings(reader({ layout })), { settings: { layout }, problems: [] });
    }
  });

  it("maps the old layouts module and package to flat and api, with a warning", () => {
    for (const [old, now] of [
      ["module", "flat"],
      ["package", "api"],
    ]) {
      const { settings, problems } = toServerSettings(reader({ layout: old }));
      assert.deepEqual(settings, { layout: now });
      assert.equal(problems.length, 1);
      assert.match(problems[0], new RegExp(`djgen\\.layout "${old}" is an old value: sending "${now}"`));
    }
  });

  it("keeps generators in the server's order and drops unknown names with a problem", () => {
    const { settings, problems } = toServerSettings(
      reader({
        generators: {
          [OFF_BY_DEFAULT[OFF_BY_DEFAULT.length - 1]]: true,
          [DEFAULT_GENERATORS[0]]: false,
          sql: true,
          [OFF_BY_DEFAULT[0]]: "yes",
        },
      }),
    );
    assert.deepEqual(settings.generators, expected([DEFAULT_GENERATORS[0]], [OFF_BY_DEFAULT[OFF_BY_DEFAULT.length - 1]]));
    assert.equal(problems.length, 2);
    assert.match(problems[0], /unknown generator "sql"/);
    assert.match(problems[1], new RegExp(`generators\\.${OFF_BY_DEFAULT[0]} must be true or false`));
  });

  it("treats an empty layout or generators object as not set", () => {
    assert.deepEqual(toServerSettings(reader({ layout: "", generators: {} })).settings, {});
  });

  it("rejects bad values with readable problems instead of sending them", () => {
    const { settings, problems } = toServerSettings(
      reader({
        diagnosticsDelayMs: -5,
        [`severity.${DIAGNOSED_GENERATORS[0]}`]: "loud",
        codeLens: "no",
        layout: "nested",
        generators: ["serializer"],
      }),
    );
    assert.deepEqual(settings, {});
    assert.equal(problems.length, 5);
    assert.ok(problems.every((p) => p.startsWith("djgen.")));
  });

  it("does not send fractional delays", () => {
    const { settings, problems } = toServerSettings(reader({ diagnosticsDelayMs: 2.5 }));
    assert.equal(settings.diagnosticsDelayMs, undefined);
    assert.equal(problems.length, 1);
  });
});

describe("generated generator constants", () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8"));
  const properties = manifest.contributes.configuration.properties;

  it("has the lists the settings mapping relies on", () => {
    assert.ok(DEFAULT_GENERATORS.length > 0 && OFF_BY_DEFAULT.length > 0);
    assert.ok(DEFAULT_GENERATORS.every((n) => DIAGNOSED_GENERATORS.includes(n)));
    assert.ok(DIAGNOSED_GENERATORS.every((n) => KNOWN_GENERATORS.includes(n)));
    assert.ok(Object.values(DEFAULT_SEVERITIES).every((s) => SEVERITIES.includes(s)));
  });

  it("matches package.json's settings", () => {
    assert.deepEqual(Object.keys(properties["djgen.generators"].properties), DIAGNOSED_GENERATORS);
    const severities = Object.keys(properties).filter((k) => k.startsWith("djgen.severity."));
    assert.deepEqual(
      severities,
      DIAGNOSED_GENERATORS.map((n) => `djgen.severity.${n}`),
    );
    for (const name of DIAGNOSED_GENERATORS) {
      assert.equal(properties[`djgen.severity.${name}`].default, DEFAULT_SEVERITIES[name]);
      assert.deepEqual(properties[`djgen.severity.${name}`].enum, SEVERITIES);
    }
    assert.deepEqual(properties["djgen.layout"].enum, LAYOUTS);
  });
});
