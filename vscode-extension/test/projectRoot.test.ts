import { strict as assert } from "node:assert";
import * as path from "node:path";
import { describe, it } from "node:test";
import { type DirLister, findProjectRoot, hasDjangoCode } from "../src/projectRoot";

/** A fake tree from a list of file paths (folders are implied). */
function tree(...filePaths: string[]): DirLister {
  return {
    list(dir) {
      const seen = new Map<string, boolean>();
      for (const file of filePaths) {
        const rel = path.relative(dir, file);
        if (rel.startsWith("..") || rel === "") {
          continue;
        }
        const [first, ...rest] = rel.split(path.sep);
        seen.set(first, (seen.get(first) ?? false) || rest.length > 0);
      }
      return [...seen].map(([name, isDirectory]) => ({ name, isDirectory }));
    },
  };
}

describe("findProjectRoot", () => {
  it("finds manage.py at the top", () => {
    assert.equal(findProjectRoot("/ws", tree("/ws/manage.py", "/ws/shop/models.py")), "/ws");
  });

  it("finds the shallowest manage.py below", () => {
    const lister = tree("/ws/examples/bookshop/manage.py", "/ws/a/b/c/manage.py", "/ws/README.md");
    assert.equal(findProjectRoot("/ws", lister), "/ws/examples/bookshop");
  });

  it("skips virtual environments, node_modules and hidden folders", () => {
    const lister = tree("/ws/.venv/lib/manage.py", "/ws/node_modules/x/manage.py", "/ws/src/site/manage.py");
    assert.equal(findProjectRoot("/ws", lister), "/ws/src/site");
  });

  it("gives up below maxDepth and when there is none", () => {
    assert.equal(findProjectRoot("/ws", tree("/ws/a/b/c/d/e/f/manage.py")), undefined);
    assert.equal(findProjectRoot("/ws", tree("/ws/a.py")), undefined);
  });
});

describe("hasDjangoCode", () => {
  it("accepts a project, an app without manage.py, and a models package", () => {
    assert.equal(hasDjangoCode("/ws", tree("/ws/site/manage.py")), true);
    assert.equal(hasDjangoCode("/ws", tree("/ws/src/shop/models.py")), true);
    assert.equal(hasDjangoCode("/ws", tree("/ws/shop/models/book.py")), true);
  });

  it("rejects folders with no Django code, or only some inside environments", () => {
    assert.equal(hasDjangoCode("/ws", tree("/ws/main.py", "/ws/lib/util.py")), false);
    assert.equal(hasDjangoCode("/ws", tree("/ws/.venv/lib/site-packages/django/db/models/base.py")), false);
    assert.equal(hasDjangoCode("/ws", tree("/ws/node_modules/x/models.py")), false);
  });
});
