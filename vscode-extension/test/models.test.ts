import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { classAtLine, topLevelClasses } from "../src/models";

const SOURCE = [
  "from django.db import models", //  0
  "", //                              1
  "", //                              2
  "class Author(models.Model):", //   3
  "    name = models.CharField(max_length=100)", // 4
  "", //                              5
  "    def __str__(self):", //        6
  "        return self.name", //      7
  "", //                              8
  "# a comment between classes", //  9
  "@decorator", //                   10
  "class Book(", //                  11
  "    models.Model,", //            12
  "):", //                           13
  "    title = models.CharField(max_length=200)", // 14
  "", //                             15
  "CONSTANT = 1", //                 16
].join("\n");

describe("topLevelClasses", () => {
  it("finds classes with their body spans", () => {
    assert.deepEqual(topLevelClasses(SOURCE), [
      { name: "Author", startLine: 3, endLine: 7 },
      { name: "Book", startLine: 11, endLine: 14 },
    ]);
  });
});

describe("classAtLine", () => {
  it("names the class around the cursor and nothing outside classes", () => {
    assert.equal(classAtLine(SOURCE, 3), "Author");
    assert.equal(classAtLine(SOURCE, 7), "Author");
    assert.equal(classAtLine(SOURCE, 13), "Book");
    assert.equal(classAtLine(SOURCE, 0), undefined);
    assert.equal(classAtLine(SOURCE, 10), undefined);
    assert.equal(classAtLine(SOURCE, 16), undefined);
  });
});
