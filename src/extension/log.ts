/** The "WABA Analytics" log channel, as the core's Logger; every line is redacted. */
import * as vscode from 'vscode';
import { redact } from '../core/redact';
import type { Logger } from '../core/types';

let channel: vscode.LogOutputChannel | undefined;

export function getChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('WABA Analytics', { log: true });
  return channel;
}

export const log: Logger = {
  debug: (m) => getChannel().debug(redact(m)),
  info: (m) => getChannel().info(redact(m)),
  warn: (m) => getChannel().warn(redact(m)),
  error: (m) => getChannel().error(redact(m)),
};

export function disposeLog(): void {
  channel?.dispose();
  channel = undefined;
}
