/**
 * The status bar item: whether djgen's language server (models.py → diagnostics, previews and
 * generated code) runs for the active editor's folder, with which interpreter. Click: the output.
 */
import * as vscode from "vscode";
import type { SessionManager } from "./manager";

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("djgen.status", vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly manager: SessionManager) {
    this.item.name = "djgen";
    this.item.command = "djgen.showOutput";
    this.disposables.push(
      manager.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  update(): void {
    const session = this.manager.sessionFor();
    if (!session) {
      this.item.hide();
      return;
    }
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**djgen** · ${session.folder.name}\n\n`);
    const state = session.state;
    switch (state.kind) {
      case "running":
        this.item.text = "$(check) djgen";
        this.item.backgroundColor = undefined;
        tooltip.appendMarkdown("Language server running.\n\n");
        break;
      case "starting":
        this.item.text = "$(loading~spin) djgen";
        this.item.backgroundColor = undefined;
        tooltip.appendMarkdown("Starting the language server…\n\n");
        break;
      case "missing-djgen":
        this.item.text = "$(warning) djgen";
        this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
        tooltip.appendText(`${state.detail}.\n\n`);
        break;
      case "failed":
        this.item.text = "$(error) djgen";
        this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
        tooltip.appendText(`The language server failed: ${state.detail}.\n\n`);
        break;
      case "stopped":
        this.item.text = "$(circle-slash) djgen";
        this.item.backgroundColor = undefined;
        tooltip.appendMarkdown("Language server stopped.\n\n");
        break;
    }
    if (session.interpreter) {
      tooltip.appendText(`Interpreter: ${session.interpreter.describe}\n\n`);
    }
    tooltip.appendText(`Project: ${session.projectRoot ?? "no manage.py found"}\n\n`);
    tooltip.appendMarkdown("Click to show the output.");
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `djgen: ${state.kind}` };
    this.item.show();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.item.dispose();
  }
}
