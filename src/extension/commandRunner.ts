/** Every command runs through one wrapper that reports errors the same way. */
import * as vscode from 'vscode';
import { WabaError, describeError } from '../core/errors';
import { log } from './log';

/** Thrown to stop a command quietly (the user dismissed a picker). */
export class Dismissed extends Error {
  constructor() {
    super('dismissed');
  }
}

export function isCancellation(e: unknown): boolean {
  return e instanceof Dismissed || (e instanceof WabaError && e.kind === 'cancelled') || e instanceof vscode.CancellationError;
}

/** Show an error the one way: "<What> failed: <reason>", with a way to the log. */
export async function showError(what: string, e: unknown): Promise<void> {
  const message = `${what} failed: ${describeError(e)}`;
  log.error(message);
  const choice = await vscode.window.showErrorMessage(message, 'Show Log');
  if (choice === 'Show Log') vscode.commands.executeCommand('wabaAnalytics.showLog');
}

export function registerCommand(
  context: vscode.ExtensionContext,
  id: string,
  what: string,
  handler: (...args: never[]) => unknown,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (e) {
        if (isCancellation(e)) {
          log.info(`${what}: cancelled`);
          return undefined;
        }
        void showError(what, e);
        return undefined;
      }
    }),
  );
}
