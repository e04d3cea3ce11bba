// End-to-end test of the packaged extension in a real VS Code: code-server (VS Code 1.100 in the
// browser) with the built .vsix installed, driven by playwright-core through Debian's Chromium.
//
// On a copy of examples/bookshop it opens catalog/models.py, waits for djgen's diagnostic, hovers
// the Book model and reads the preview, runs the preview command, applies "Generate serializer for
// Book" from the quick-fix menu, saves all, and checks catalog/serializers.py on disk (and
// `manage.py check`). Then, in a multi-root workspace of two copies: folder settings apply per
// folder, a code lens generates into its own folder, editor.codeActionsOnSave runs
// source.djgen.generateAll, djgen.restart and the output channel work, and an interpreter without
// djgen gets the "Install djgen in this environment" action, which installs the bundled wheel.
// Each step leaves a screenshot in the folder printed at the start and the end; the README's
// media/screenshots/hover.png and preview.png are this run's "hover" and "preview" shots.
//
// Environment: DJGEN_VSIX (default dist/djgen.vsix), DJGEN_PYTHON (default <repo>/.venv/bin/python),
// DJGEN_CODE_SERVER (entry.js; default: installed/cached by install-code-server.sh),
// DJGEN_E2E_SCREENSHOTS (default: <temp dir>/screenshots).
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const extensionDir = resolve(here, "..");
const repo = resolve(extensionDir, "..");
const vsix = process.env.DJGEN_VSIX ?? join(extensionDir, "dist", "djgen.vsix");
const python = process.env.DJGEN_PYTHON ?? join(repo, ".venv", "bin", "python");
const work = mkdtempSync(join(tmpdir(), "djgen-vscode-e2e-"));
const shots = process.env.DJGEN_E2E_SCREENSHOTS ?? join(work, "screenshots");
const project = join(work, "bookshop");
const modelsPy = join(project, "catalog", "models.py");
const serializersPy = join(project, "catalog", "serializers.py");
const WAIT = 60_000;
const bareVenv = join(work, "bare-venv");
const MISSING_BOOK_SERIALIZER = /Book has no (DRF )?serializer/;

/** Monaco renders spaces as non-breaking spaces; compare text with ordinary spaces. */
const normalise = (text) => text.replace(/\u00a0/g, " ");

let codeServer;
let browser;
let page;
let baseUrl;
let shotIndex = 0;
let broken = false;

function log(message) {
  console.log(`[vscode-e2e] ${message}`);
}

async function screenshot(name) {
  shotIndex += 1;
  const file = join(shots, `${String(shotIndex).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot ${file}`);
}

/** A test step; after a failed step the rest are skipped (they depend on it). */
function step(name, body) {
  test(name, { timeout: 3 * WAIT }, async (t) => {
    if (broken) {
      t.skip("an earlier step failed");
      return;
    }
    try {
      await body();
      await screenshot(name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
    } catch (error) {
      broken = true;
      if (page) {
        await screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`).catch(() => {});
      }
      dumpLogs();
      throw error;
    }
  });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url, deadline) {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer ${url}; see ${join(work, "code-server.log")}`);
}

/** Print djgen's output channel and the extension host log, to see why a step failed. */
function dumpLogs() {
  const logs = join(work, "user-data", "logs");
  const found = [];
  const walk = (dir) => {
    for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (/djgen|exthost\.log|remoteexthost\.log/i.test(entry.name)) {
        found.push(full);
      }
    }
  };
  walk(logs);
  for (const file of found) {
    const text = readFileSync(file, "utf8");
    console.log(`----- ${file} (last 60 lines) -----\n${text.split("\n").slice(-60).join("\n")}`);
  }
}

/** 1-based line of `class Book(` in the copy's models.py. */
function bookLine() {
  const line = readFileSync(modelsPy, "utf8").split("\n").findIndex((l) => l.startsWith("class Book(")) + 1;
  assert.ok(line > 0, "class Book not found in models.py");
  return line;
}

/** Quick Open (Ctrl+P) a workspace file and wait until the editor shows `expected`. */
async function openFile(relativePath, expected) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(relativePath);
  const name = relativePath.split("/").pop();
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor .view-lines", { hasText: expected }).first().waitFor();
}

/** Quick Open (Ctrl+P) `fileName` from one folder of a multi-root workspace. */
async function openInFolder(folderName, fileName, expected) {
  // In a multi-root workspace the breadcrumbs start with the folder: "shop-a > catalog > models.py".
  const tab = page.locator(".breadcrumbs-control", { hasText: fileName }).filter({ hasText: folderName });
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("Control+P");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(fileName);
    const row = page
      .locator(".quick-input-list .monaco-list-row", { hasText: folderName })
      .filter({ hasText: fileName });
    await row.first().waitFor();
    await page.waitForTimeout(300); // let the list settle before clicking
    await row.first().click();
    try {
      await tab.first().waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt === 3) {
        throw error;
      }
      await page.keyboard.press("Escape");
    }
  }
  await page.locator(".monaco-editor .view-lines", { hasText: expected }).first().waitFor();
}

/**
 * File: Save All until `file` on disk contains `expected` (the edit may still be landing in its
 * buffers when the first save runs); returns the file's text.
 */
async function saveAllUntil(file, expected) {
  const deadline = Date.now() + WAIT;
  let text = "";
  while (Date.now() < deadline) {
    await runCommand("File: Save All");
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 250));
      text = existsSync(file) ? readFileSync(file, "utf8") : "";
      if (text.includes(expected)) {
        return text;
      }
    }
  }
  return text;
}

// Save All until no Python file of the app folder is empty on disk: a WorkspaceEdit creates its
// new files empty and fills their buffers, and on a slow machine a buffer can turn dirty after
// the Save All that wrote another file of the same edit.
async function saveAllUntilWritten(folder) {
  const deadline = Date.now() + WAIT;
  const empty = () =>
    readdirSync(folder).filter(
      (name) => name.endsWith(".py") && name !== "__init__.py" && readFileSync(join(folder, name), "utf8") === "",
    );
  while (empty().length && Date.now() < deadline) {
    await runCommand("File: Save All");
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(empty(), [], `files still empty on disk in ${folder}`);
}

async function runCommand(title) {
  await page.keyboard.press("Control+Shift+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: WAIT });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: WAIT });
  await page.keyboard.press("Enter");
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  log(`screenshots go to ${shots}`);
  assert.ok(existsSync(vsix), `no ${vsix}: run \`npm run package\` first`);
  assert.ok(existsSync(python), `no interpreter at ${python} (set DJGEN_PYTHON)`);

  const entry =
    process.env.DJGEN_CODE_SERVER ??
    execFileSync("bash", [join(here, "install-code-server.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
      .trim()
      .split("\n")
      .pop();

  cpSync(join(repo, "examples", "bookshop"), project, {
    recursive: true,
    filter: (src) => !/__pycache__|db\.sqlite3$/.test(src),
  });
  const userData = join(work, "user-data");
  const extensions = join(work, "extensions");
  mkdirSync(join(userData, "User"), { recursive: true });
  mkdirSync(join(userData, "Machine"), { recursive: true });
  const settings = {
    "djgen.interpreter": python,
    "djgen.diagnosticsDelayMs": 100,
    "djgen.severity.serializer": "warning",
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.welcomePage.walkthroughs.openOnInstall": false,
    "workbench.enableExperiments": false,
    "security.workspace.trust.enabled": false,
    "extensions.autoUpdate": false,
    "extensions.autoCheckUpdates": false,
    "extensions.ignoreRecommendations": true,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "editor.hover.delay": 200,
    "editor.minimap.enabled": false,
    "chat.commandCenter.enabled": false,
    "window.commandCenter": false,
    "files.autoSave": "off",
  };
  writeFileSync(join(userData, "User", "settings.json"), JSON.stringify(settings, null, 2));
  writeFileSync(join(userData, "Machine", "settings.json"), JSON.stringify(settings, null, 2));

  const port = await freePort();
  const config = join(work, "code-server.yaml");
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const common = ["--config", config, "--user-data-dir", userData, "--extensions-dir", extensions];
  // code-server keeps its own logs and heartbeat under the XDG folders: keep them in the test's.
  const env = { ...process.env, XDG_DATA_HOME: join(work, "xdg-data"), XDG_CONFIG_HOME: join(work, "xdg-config") };
  log(`installing ${vsix}`);
  execFileSync(process.execPath, [entry, ...common, "--install-extension", vsix], { stdio: "inherit", env });

  const out = join(work, "code-server.log");
  writeFileSync(out, "");
  const logFd = (await import("node:fs")).openSync(out, "a");
  codeServer = spawn(
    process.execPath,
    [
      entry,
      ...common,
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      project,
    ],
    { detached: true, stdio: ["ignore", logFd, logFd], env },
  );
  log(`code-server (pid ${codeServer.pid}) on 127.0.0.1:${port}, log ${out}`);
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, Date.now() + WAIT);

  browser = await chromium.launch({
    executablePath: process.env.DJGEN_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  baseUrl = `http://127.0.0.1:${port}`;
  await page.goto(`${baseUrl}/?folder=${encodeURIComponent(project)}`);
  await page.locator(".monaco-workbench").waitFor({ timeout: WAIT });
});

after(async () => {
  await browser?.close().catch(() => {});
  if (codeServer?.pid && codeServer.exitCode === null) {
    const exited = new Promise((resolveExit) => codeServer.once("exit", resolveExit));
    try {
      // code-server, its extension host and the language servers share its process group.
      process.kill(-codeServer.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  if (!broken) {
    // Keep only the screenshots of a passing run; a failing one keeps everything for a look.
    for (const entry of readdirSync(work)) {
      const full = join(work, entry);
      if (full !== shots) {
        rmSync(full, { recursive: true, force: true });
      }
    }
  } else {
    log(`the failed run's files (projects, code-server log, user data) are in ${work}`);
  }
  log(`screenshots are in ${shots}`);
});

step("workbench loads and the extension starts its server", async () => {
  await page.locator(".statusbar-item[aria-label='djgen: running']").waitFor({ timeout: 2 * WAIT });
});

step("opening models.py shows the missing-serializer diagnostic", async () => {
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
  // Only the lines in view are rendered: the first model is.
  await openFile("catalog/models.py", "class Author");
  await page.keyboard.press("Control+Shift+M");
  const problem = page.locator(".markers-panel .monaco-list-row", { hasText: MISSING_BOOK_SERIALIZER });
  await problem.first().waitFor({ timeout: WAIT });
  const text = normalise(await problem.first().innerText());
  assert.match(text, /djgen\.missing-serializer/);
  assert.match(text, new RegExp(`Ln ${bookLine()},`));
});

step("hovering Book shows the serializer preview", async () => {
  const line = bookLine();
  // Put the cursor inside the class name (Go to Line accepts line:column)…
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget input").fill(`:${line}:8`); // the ":" selects Go to Line
  await page.keyboard.press("Enter");
  // …and hover it with the mouse.
  const name = page
    .locator(".monaco-editor .view-line", { hasText: "class Book(" })
    .first()
    .locator("span > span", { hasText: /^Book$/ })
    .first();
  await name.hover();
  const hover = page.locator(".monaco-hover-content", { hasText: "BookSerializer" }).first();
  try {
    await hover.waitFor({ state: "visible", timeout: 10_000 });
  } catch {
    // The mouse hover can be cancelled by a repaint; ask for it from the keyboard (Show Hover).
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await hover.waitFor({ state: "visible", timeout: WAIT });
  }
  const text = normalise(await hover.innerText());
  assert.match(text, /djgen/);
  assert.match(text, /class BookSerializer\(serializers\.ModelSerializer\)/);
  // The README's hover.png, taken while the hover is up: the diagnostics on Book come first in
  // it, so move onto the hover (it stays) and scroll it to djgen's part.
  let box = await hover.boundingBox();
  if (!box) {
    // it closed meanwhile (a repaint): show it again from the keyboard
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await hover.waitFor({ state: "visible", timeout: WAIT });
    box = await hover.boundingBox();
  }
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const title = hover.getByText("catalog.Book").first();
  let last = null;
  for (let i = 0; i < 20; i++) {
    if (!(await hover.isVisible())) {
      break;
    }
    const row = await title.boundingBox();
    // at the top, or the hover no longer scrolls (a further wheel would scroll the editor)
    if (!row || row.y - box.y < 40 || row.y === last) {
      break;
    }
    last = row.y;
    await page.mouse.wheel(0, 20);
    await page.waitForTimeout(250); // let the smooth scroll settle before looking again
  }
  // The screenshot is for the README; what this step checks is asserted above.
  if (await hover.isVisible()) {
    await page.waitForTimeout(300);
    await screenshot("hover");
  } else {
    console.log("# [vscode-e2e] the hover closed while it was scrolled; hover.png not retaken");
  }
});

step("the preview command shows the diff for the model at the cursor", async () => {
  await page.keyboard.press("Escape");
  await runCommand("djgen: Preview Generated Code for Model at Cursor");
  const preview = page.locator(".monaco-editor .view-lines", { hasText: "+class BookSerializer" }).first();
  await preview.waitFor();
  assert.match(normalise(await preview.innerText()), /\+\s*class Meta:/);
  await screenshot("preview");
  // Read-only: it closes without a "save changes?" prompt, and the cursor is back in models.py.
  await page.keyboard.press("Control+W");
  await page.locator(".tabs-container .tab", { hasText: "djgen preview" }).waitFor({ state: "detached" });
  await page.locator(".tabs-container .tab.active", { hasText: "models.py" }).waitFor();
});

step("the quick fix generates the serializer", async () => {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+.");
  const widget = page.locator(".action-widget");
  await widget.waitFor({ state: "visible" });
  const wanted = "Generate serializer for Book";
  let found = false;
  for (let i = 0; i < 20 && !found; i++) {
    const focused = widget.locator(".monaco-list-row.focused");
    const text = (await focused.count()) > 0 ? normalise(await focused.first().innerText()) : "";
    if (text.includes(wanted)) {
      found = true;
    } else {
      await page.keyboard.press("ArrowDown");
    }
  }
  assert.ok(found, `no "${wanted}" in the quick-fix menu: ${normalise(await widget.innerText())}`);
  await screenshot("quick-fix-menu");
  await page.keyboard.press("Enter");
  // The edit creates catalog/serializers.py (it shows in the explorer) and fills its buffer.
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "serializers.py" }).first().waitFor();
});

step("save all writes serializers.py and the diagnostic goes away", async () => {
  const text = await saveAllUntil(serializersPy, "class BookSerializer");
  assert.match(text, /class BookSerializer\(serializers\.ModelSerializer\):/);
  assert.match(text, /model = Book/);
  await page
    .locator(".markers-panel .monaco-list-row", { hasText: MISSING_BOOK_SERIALIZER })
    .waitFor({ state: "detached", timeout: WAIT });
  // Show the saved file in the editor (for the screenshot, and to see VS Code agrees with the disk).
  await openFile("catalog/serializers.py", "class BookSerializer");
});

step("the generated project passes manage.py check", async () => {
  const output = execFileSync(python, ["manage.py", "check"], { cwd: project, encoding: "utf8" });
  assert.match(output, /System check identified no issues/);
});

step("multi-root: each folder gets its own server and its own settings", async () => {
  // Two copies of the project; folder settings turn the serializer diagnostic off in shop-b and
  // the viewset diagnostic off in shop-a.
  // Only the four API generators, no migration check: the Problems panel stays short enough that
  // every row is rendered (its list is virtualised).
  const apiOnly = {
    "djgen.migrationCheck": false,
    "djgen.generators": {
      "api-settings": false,
      jwt: false,
      caching: false,
      websocket: false,
      cqrs: false,
      eventsourcing: false,
      tests: false,
    },
  };
  const folderSettings = {
    "shop-a": {
      ...apiOnly,
      "djgen.severity.serializer": "warning",
      "djgen.severity.viewset": "off",
      "[python]": { "editor.codeActionsOnSave": { "source.djgen.generateAll": "explicit" } },
    },
    "shop-b": { ...apiOnly, "djgen.severity.serializer": "off", "djgen.severity.viewset": "information" },
  };
  for (const [name, settings] of Object.entries(folderSettings)) {
    const folder = join(work, name);
    cpSync(join(repo, "examples", "bookshop"), folder, {
      recursive: true,
      filter: (src) => !/__pycache__|db\.sqlite3$/.test(src),
    });
    mkdirSync(join(folder, ".vscode"), { recursive: true });
    writeFileSync(join(folder, ".vscode", "settings.json"), JSON.stringify(settings, null, 2));
  }
  const workspaceFile = join(work, "shops.code-workspace");
  writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: "shop-a" }, { path: "shop-b" }] }, null, 2));
  // Leave the first window completely before opening the workspace; now and then code-server
  // opens a workspace without its folders, then a reload helps.
  await page.goto("about:blank");
  const url = `${baseUrl}/?workspace=${encodeURIComponent(workspaceFile)}`;
  const folderRow = page.locator(".explorer-folders-view .monaco-list-row", { hasText: "shop-b" }).first();
  for (let attempt = 1; ; attempt++) {
    await page.goto(url);
    await page.locator(".monaco-workbench").waitFor();
    try {
      await folderRow.waitFor({ timeout: 15_000 });
      break;
    } catch (error) {
      if (attempt === 3) {
        throw error;
      }
      log(`the workspace opened without its folders (attempt ${attempt}); reloading`);
    }
  }
  await page.locator(".statusbar-item[aria-label='djgen: running']").waitFor({ timeout: 2 * WAIT });
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
  await openInFolder("shop-a", "models.py", "class Author");
  await openInFolder("shop-b", "models.py", "class Author");
  // Wait for shop-b's code lenses before the Problems panel changes the layout (VS Code 1.100
  // drops a pending code-lens request when the panel opens right after an editor).
  await page.locator(".codelens-decoration a", { hasText: "djgen:" }).first().waitFor();
  await page.keyboard.press("Control+Shift+M");
  const rows = page.locator(".markers-panel .monaco-list-row");
  const serializer = rows.filter({ hasText: MISSING_BOOK_SERIALIZER });
  const viewset = rows.filter({ hasText: /Book has no viewset/ });
  await serializer.first().waitFor();
  await viewset.first().waitFor();
  await page.waitForTimeout(1000); // let both servers publish everything before counting
  // One of each: shop-a reports the serializer, shop-b the viewset (as information).
  assert.equal(await serializer.count(), 1);
  assert.equal(await viewset.count(), 1);
  assert.equal(await viewset.locator(".codicon-info").count(), 1);
  const panel = normalise(await page.locator(".markers-panel").innerText());
  assert.match(panel, /shop-a/);
  assert.match(panel, /shop-b/);
});

step("multi-root: a code lens in shop-b generates into shop-b", async () => {
  // The lens runs the server command djgen.generate, which the extension routes to the server of
  // the folder holding the file (one registration for all folders).
  await page.keyboard.press("Control+J"); // close the panel; the lenses come back with the layout
  const lens = page.locator(".codelens-decoration a", { hasText: "djgen: serializer" }).first();
  try {
    await lens.waitFor({ timeout: 5000 });
  } catch {
    // Switching editors asks for code lenses again.
    await openInFolder("shop-a", "models.py", "class Author");
    await openInFolder("shop-b", "models.py", "class Author");
    await lens.waitFor();
  }
  const title = normalise(await lens.innerText());
  assert.match(title, /serializer ✗/);
  await lens.click();
  const target = join(work, "shop-b", "catalog", "serializers.py");
  await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "serializers.py" }).first().waitFor();
  const text = await saveAllUntil(target, "class AuthorSerializer");
  assert.match(text, /class AuthorSerializer\(serializers\.ModelSerializer\):/);
  assert.ok(!existsSync(join(work, "shop-a", "catalog", "serializers.py")), "shop-a was written to");
  // The lens generates every missing enabled generator: the edit also creates views.py, urls.py...
  await saveAllUntilWritten(join(work, "shop-b", "catalog"));
  const check = execFileSync(python, ["manage.py", "check"], { cwd: join(work, "shop-b"), encoding: "utf8" });
  assert.match(check, /System check identified no issues/);
});

step("editor.codeActionsOnSave runs source.djgen.generateAll when shop-a's models.py is saved", async () => {
  await openInFolder("shop-a", "models.py", "class Author");
  // Make the buffer dirty with a harmless trailing comment, then save it explicitly (Ctrl+S).
  await page.keyboard.press("Control+End");
  await page.keyboard.type("# saved from the editor\n");
  await page.keyboard.press("Control+S");
  const serializers = await saveAllUntil(join(work, "shop-a", "catalog", "serializers.py"), "class ReviewSerializer");
  for (const model of ["Author", "Publisher", "Book", "Authorship", "Review"]) {
    assert.match(serializers, new RegExp(`class ${model}Serializer\\(`));
  }
  await saveAllUntilWritten(join(work, "shop-a", "catalog"));
  const admin = await saveAllUntil(join(work, "shop-a", "catalog", "admin.py"), "Book");
  assert.match(admin, /Book/);
  assert.match(readFileSync(join(work, "shop-a", "catalog", "models.py"), "utf8"), /# saved from the editor/);
  const check = execFileSync(python, ["manage.py", "check"], { cwd: join(work, "shop-a"), encoding: "utf8" });
  assert.match(check, /System check identified no issues/);
});

step("djgen: Restart Language Server restarts, and djgen: Show Output shows the log", async () => {
  await runCommand("djgen: Restart Language Server");
  await runCommand("djgen: Show Output");
  const output = page.locator(".panel .monaco-editor .view-lines", { hasText: "(djgen.restart)" }).first();
  await output.waitFor();
  await page.locator(".panel .monaco-editor .view-lines", { hasText: "language server started" }).first().waitFor();
  await page.locator(".statusbar-item[aria-label='djgen: running']").waitFor();
  await screenshot("output");
  // The new servers analyse the open models files again.
  await page.keyboard.press("Control+Shift+M");
  await page.locator(".markers-panel .monaco-list-row", { hasText: "Publisher has no viewset" }).first().waitFor();
});

step("an interpreter without djgen gets a clear message with an install action", async () => {
  // A virtual environment without djgen; writing the setting restarts the server with it.
  execFileSync(python, ["-m", "venv", bareVenv]);
  for (const scope of ["User", "Machine"]) {
    const settingsFile = join(work, "user-data", scope, "settings.json");
    const settings = JSON.parse(readFileSync(settingsFile, "utf8"));
    settings["djgen.interpreter"] = join(bareVenv, "bin", "python");
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  }
  await page.locator(".statusbar-item[aria-label='djgen: missing-djgen']").waitFor({ timeout: WAIT });
  const toast = page.locator(".notification-toast", { hasText: "djgen cannot start" }).first();
  await toast.waitFor({ timeout: WAIT });
  const text = normalise(await toast.innerText());
  assert.match(text, /djgen is not importable with .*bare-venv/);
  assert.match(text, /Install djgen in this environment/);
});

step("Install djgen in this environment installs the bundled wheel and starts the server", async () => {
  // pip installs the wheel inside the .vsix and its dependencies from the package index.
  const toast = page.locator(".notification-toast", { hasText: "djgen cannot start" }).first();
  await toast.locator(".monaco-button", { hasText: "Install djgen" }).first().click();
  await page.locator(".statusbar-item[aria-label='djgen: running']").waitFor({ timeout: 5 * WAIT });
  const version = execFileSync(join(bareVenv, "bin", "python"), ["-c", "import djgen.server, importlib.metadata as m; print(m.version('djgen'))"], {
    encoding: "utf8",
  });
  assert.match(version, /^\d+\.\d+/);
  await page.keyboard.press("Control+Shift+M");
  await page.locator(".markers-panel .monaco-list-row", { hasText: "has no" }).first().waitFor();
});
