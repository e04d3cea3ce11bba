import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { documentPatterns, escapeGlob } from "../src/selector";

describe("document selector", () => {
  it("anchors every glob at the workspace folder", () => {
    const patterns = documentPatterns("/home/dev/shop/");
    assert.ok(patterns.includes("/home/dev/shop/**/models.py"));
    assert.ok(patterns.includes("/home/dev/shop/**/migrations/*.py"));
    assert.ok(patterns.every((p) => p.startsWith("/home/dev/shop/**/")));
  });

  it("escapes glob characters in folder names and uses forward slashes", () => {
    assert.equal(escapeGlob("/w/[draft] {x}*"), "/w/[[]draft[]] [{]x[}][*]");
    assert.equal(escapeGlob("C:\\Users\\dev"), "C:/Users/dev");
  });
});
