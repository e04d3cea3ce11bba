/**
 * The extension's commands: they name the model and generators, then ask the language server
 * (`workspace/executeCommand`: djgen.generate, djgen.generateAll, djgen.preview) to run
 * models.py → IR → generators → artifacts → merge and apply the result as a WorkspaceEdit.
 *
 * The server's own command ids are registered by the language client (code lenses use them), so the
 * palette commands here have ids of their own.
 */
import * as vscode from "vscode";
import { ExecuteCommandRequest } from "vscode-languageclient/node";
import { AVAILABLE_GENERATORS, DEFAULT_GENERATORS, DESCRIPTIONS } from "./generated/generators";
import type { SessionManager } from "./manager";
import { classAtLine } from "./models";
import { PreviewDocuments } from "./preview";
import { toServerSettings } from "./settings";
import { folderSettingsReader, type ServerSession } from "./session";

interface Target {
  session: ServerSession;
  uri: vscode.Uri;
}

export function registerCommands(manager: SessionManager, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const previews = new PreviewDocuments();
  return [
    previews,
    vscode.commands.registerCommand("djgen.generateForModel", async (uri?: vscode.Uri, model?: string) => {
      const target = targetFor(manager, uri);
      const name = target && (model ?? modelAtCursor(target.uri));
      if (!target || !name) {
        return;
      }
      const generators = await pickGenerators(target.uri, `Generate for ${name}`);
      if (generators) {
        await run(target, log, "djgen.generate", [generators, target.uri.toString(), name]);
      }
    }),
    vscode.commands.registerCommand("djgen.generateForFile", async (uri?: vscode.Uri) => {
      const target = targetFor(manager, uri);
      if (!target) {
        return;
      }
      const generators = await pickGenerators(target.uri, "Generate for every model in this file");
      if (generators) {
        await run(target, log, "djgen.generate", [generators, target.uri.toString()]);
      }
    }),
    vscode.commands.registerCommand("djgen.generateEverything", async (uri?: vscode.Uri) => {
      const target = targetFor(manager, uri);
      if (target) {
        await run(target, log, "djgen.generateAll", [target.uri.toString()]);
      }
    }),
    vscode.commands.registerCommand("djgen.showPreview", async (uri?: vscode.Uri, model?: string) => {
      const target = targetFor(manager, uri);
      const name = target && (model ?? modelAtCursor(target.uri));
      if (!target || !name) {
        return;
      }
      const text = await run(target, log, "djgen.preview", ["all", target.uri.toString(), name]);
      if (typeof text === "string") {
        await previews.show(name, text);
      }
    }),
    vscode.commands.registerCommand("djgen.restart", async () => {
      log.info("Restarting djgen's language server(s) (djgen.restart)");
      await manager.restartAll();
    }),
    vscode.commands.registerCommand("djgen.showOutput", () => log.show()),
  ];
}

function targetFor(manager: SessionManager, uri: vscode.Uri | undefined): Target | undefined {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showWarningMessage("djgen: open a models.py first.");
    return undefined;
  }
  const session = manager.sessionFor(target);
  if (!session?.client || session.state.kind !== "running") {
    void vscode.window.showWarningMessage(
      "djgen's language server is not running for this file's folder; see the djgen output.",
    );
    return undefined;
  }
  return { session, uri: target };
}

function modelAtCursor(uri: vscode.Uri): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.toString() !== uri.toString()) {
    void vscode.window.showWarningMessage("djgen: put the cursor inside a model class.");
    return undefined;
  }
  const name = classAtLine(editor.document.getText(), editor.selection.active.line);
  if (!name) {
    void vscode.window.showWarningMessage("djgen: put the cursor inside a model class.");
  }
  return name;
}

async function pickGenerators(uri: vscode.Uri, title: string): Promise<string[] | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const enabled = toServerSettings(folderSettingsReader(folder)).settings.generators ?? DEFAULT_GENERATORS;
  // Only generators djgen implements: the others in the contract would fail on the server.
  const items = AVAILABLE_GENERATORS.map((name) => ({
    label: name,
    description: DESCRIPTIONS[name],
    picked: enabled.includes(name),
  }));
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title, placeHolder: "Generators to run" });
  return picked && picked.length > 0 ? picked.map((item) => item.label) : undefined;
}

async function run(target: Target, log: vscode.LogOutputChannel, command: string, args: unknown[]): Promise<unknown> {
  const client = target.session.client;
  if (!client) {
    return undefined;
  }
  try {
    return await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`${command} failed: ${message}`);
    void vscode.window.showErrorMessage(`djgen: ${message}`);
    return undefined;
  }
}
