import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { type SettingsReader, toServerSettings } from "../src/settings";

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
        generators: { admin: false, jwt: true },
        "severity.serializer": "warning",
        "severity.migration": "off",
        codeLens: false,
        layout: "package",
        migrationCheck: true,
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      diagnosticsDelayMs: 0,
      generators: ["serializer", "filterset", "viewset", "jwt"],
      severities: { serializer: "warning", migration: "off" },
      codeLens: false,
      layout: "package",
      migrationCheck: true,
    });
  });

  it("keeps generators in the server's order and drops unknown names with a problem", () => {
    const { settings, problems } = toServerSettings(
      reader({ generators: { websocket: true, serializer: false, sql: true, tests: "yes" } }),
    );
    assert.deepEqual(settings.generators, ["filterset", "viewset", "admin", "websocket"]);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /unknown generator "sql"/);
    assert.match(problems[1], /generators\.tests must be true or false/);
  });

  it("treats an empty layout or generators object as not set", () => {
    assert.deepEqual(toServerSettings(reader({ layout: "", generators: {} })).settings, {});
  });

  it("rejects bad values with readable problems instead of sending them", () => {
    const { settings, problems } = toServerSettings(
      reader({
        diagnosticsDelayMs: -5,
        "severity.admin": "loud",
        codeLens: "no",
        layout: "flat",
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
