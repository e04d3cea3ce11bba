import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { uriArgument } from "../src/commandArguments";

describe("uriArgument", () => {
  it("finds the models.py URI wherever the command puts it", () => {
    const uri = "file:///home/dev/shop/catalog/models.py";
    assert.equal(uriArgument(["serializer", uri, "Book"]), uri);
    assert.equal(uriArgument([uri]), uri);
    assert.equal(uriArgument([["serializer", "admin"], uri]), uri);
  });

  it("ignores generator and model names and non-strings", () => {
    assert.equal(uriArgument(["serializer", "Book", 3, null, { uri: "file:///x" }]), undefined);
    assert.equal(uriArgument([]), undefined);
    assert.equal(uriArgument(["C:\\\\shop\\\\models.py"]), undefined);
  });
});
