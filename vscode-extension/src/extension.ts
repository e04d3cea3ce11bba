/**
 * Entry point of the djgen VS Code extension: starts a djgen language server per workspace folder
 * (which turns models.py into diagnostics, quick fixes, previews and generated files) and wires up
 * its commands, status bar item and output channel.
 */
import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { MissingDjgenPrompt } from "./install";
import { SessionManager } from "./manager";
import { PythonEnvironments } from "./pythonEnvironment";
import { ServerCommandRouter } from "./serverCommands";
import { StatusBar } from "./statusBar";

let manager: SessionManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("djgen", { log: true });
  const python = new PythonEnvironments(log);
  const sessions = new SessionManager(log, python, (session, detail) => void prompt.show(session, detail));
  const prompt = new MissingDjgenPrompt(context.extensionPath, log, (interpreter) => sessions.restartUsing(interpreter));
  manager = sessions;
  const router = new ServerCommandRouter(sessions, log);
  context.subscriptions.push(
    log,
    python,
    sessions,
    router,
    sessions.onDidChange(() => router.update()),
    new StatusBar(sessions),
    ...registerCommands(sessions, log),
  );
  log.info(`djgen ${String(context.extension.packageJSON.version)} activated`);
  await sessions.startAll();
}

export async function deactivate(): Promise<void> {
  await manager?.stopAll();
  manager = undefined;
}
