/** Connections: add (Meta, Vonage, demo), edit credentials, rename, remove, WABA and template ids by hand. */
import * as vscode from 'vscode';
import { readPrivateKeyFile } from '../../core/credentials';
import { WabaError, describeError } from '../../core/errors';
import type { TreeNode } from '../accountsTree';
import { ConnectionNode, TemplatesNode, WabaNode } from '../accountsTree';
import { Dismissed, registerCommand } from '../commandRunner';
import type { ConnectionMeta, ConnectionSecret } from '../connections';
import { credentialInputCheck } from '../connections';
import { log } from '../log';
import type { CredentialField, ProviderDescriptor } from '../../core/provider';
import { allProviderDescriptors, credentialWhat, providerDescriptor } from '../../providers/descriptors';
import type { Services } from './services';

export function registerConnectionCommands(s: Services): void {
  const { context, store, queries, tree, view } = s;
  const ask = async (options: vscode.InputBoxOptions): Promise<string> => {
    const v = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
    if (v === undefined) throw new Dismissed();
    return v.trim();
  };
  const required = (what: string) => (s: string) => (s.trim() ? undefined : `${what} is required.`);
  // A token, key, secret or id with a line break or a control character gets its own message (never quoting it).
  const credential = (what: string) => (s: string) => required(what)(s) ?? credentialInputCheck(what)(s);
  const wabaIdList = (s: string) =>
    s
      .split(/[\s,;]+/)
      .map((x) => x.trim())
      .filter(Boolean);

  const checkAndSave = async (meta: ConnectionMeta, secret: ConnectionSecret) => {
    try {
      const provider = await store.buildFrom(meta, secret);
      const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking "${meta.label}"…`, cancellable: false }, () => provider.checkCredentials());
      await store.add(meta, secret);
      void vscode.window.showInformationMessage(`Connection "${meta.label}" added: ${found}.`);
    } catch (e) {
      const choice = await vscode.window.showErrorMessage(`The check of "${meta.label}" failed: ${describeError(e)}`, 'Save Anyway', 'Cancel');
      if (choice !== 'Save Anyway') throw new Dismissed();
      await store.add(meta, secret);
    }
  };

  /**
   * The credentials of a provider, asked field by field as its registry entry describes them; the
   * optional ones (Vonage's application id and private key) after a yes. `previous` (editing)
   * shows the fields that may be shown again (a key, never a secret).
   */
  const askSecret = async (d: ProviderDescriptor, title: (step: number) => string, previous?: ConnectionSecret): Promise<ConnectionSecret> => {
    const values: Record<string, string> = {};
    const old = previous?.provider === d.id ? (previous as unknown as Record<string, string | undefined>) : undefined;
    let step = 1;
    const askField = async (f: CredentialField) => {
      if (f.keyFile) {
        const files = await vscode.window.showOpenDialog({ title: f.keyFile.dialogTitle, canSelectMany: false, openLabel: 'Use this key', filters: { 'Private key': ['key', 'pem', 'txt'], All: ['*'] } });
        if (!files?.[0]) throw new Dismissed();
        // A local file is read only if it is a regular file of sane size (a FIFO or /dev/zero would hang or fill memory).
        const text = files[0].scheme === 'file' ? readPrivateKeyFile(files[0].fsPath, 'The private key file', f.keyFile) : Buffer.from(await vscode.workspace.fs.readFile(files[0])).toString('utf8');
        if (!text.includes('PRIVATE KEY')) throw new WabaError('input', 'That file does not hold a PEM private key.', { hint: `Pick ${f.keyFile.given}.` });
        values[f.key] = text;
        return;
      }
      step += 1;
      values[f.key] = await ask({
        title: title(step),
        prompt: previous && f.editPrompt ? f.editPrompt : f.prompt,
        ...(f.keepOnEdit ? { value: old?.[f.key] ?? '' } : {}),
        ...(f.secret ? { password: true } : {}),
        validateInput: credential(credentialWhat(f)),
      });
    };
    for (const f of d.credentials.filter((x) => !x.optional)) await askField(f);
    const optional = d.credentials.filter((x) => x.optional);
    if (optional.length && d.optionalCredentials) {
      const o = d.optionalCredentials;
      const withThem = await vscode.window.showQuickPick(
        [
          { label: 'No', description: o.without, value: false },
          { label: 'Yes', description: o.with, value: true },
        ],
        { title: title(step), placeHolder: o.question, ignoreFocusOut: true },
      );
      if (!withThem) throw new Dismissed();
      if (withThem.value) for (const f of optional) await askField(f);
    }
    return { provider: d.id, ...values } as ConnectionSecret;
  };

  // One "Add … connection" command per provider (declared in package.json), asked as its registry entry says.
  for (const d of allProviderDescriptors()) {
    registerCommand(context, d.addCommand, `Add ${d.label} connection`, async () => {
      const base = `Add ${d.label} connection`;
      // Steps are counted when their number is known (no optional credentials to ask about).
      const steps = d.optionalCredentials ? undefined : 1 + d.credentials.filter((f) => !f.optional && !f.keyFile).length + (d.manualWabaIds ? 1 : 0);
      const title = (step: number) => (steps ? `${base} (${step}/${steps})` : base);
      const label = await ask({ title: title(1), prompt: 'A name for this connection', value: d.label, validateInput: required('A name') });
      const secret = await askSecret(d, title);
      const ids = d.manualWabaIds
        ? wabaIdList(
            await ask({ title: title(steps ?? 1), prompt: 'WABA IDs to add by hand (optional, comma-separated). WABAs granted to the token are found on their own.', validateInput: (s) => (wabaIdList(s).every((x) => /^\d+$/.test(x)) ? undefined : 'WABA ids are digits.') }),
          )
        : [];
      await checkAndSave({ id: store.newId(), label, provider: d.id, manualWabaIds: ids, manualTemplateIds: {} }, secret);
    });
  }

  registerCommand(context, 'wabaAnalytics.addDemoConnection', 'Add demo connection', async () => {
    const ids = await store.addDemoConnections();
    await vscode.commands.executeCommand('wabaAnalytics.accounts.focus');
    const first = tree.connections.find((c) => c.meta.demo);
    if (first) await view.reveal(first, { expand: true, select: false, focus: false }).then(undefined, () => undefined);
    return ids;
  });
  // `npm run demo` starts VS Code with WABA_ANALYTICS_DEMO=1: the demo connections are there from the
  // start (metadata only; the sandbox starts when they are first used).
  if (process.env.WABA_ANALYTICS_DEMO === '1' && store.list().length === 0) {
    store.addDemoConnections().then(
      () => log.info('WABA_ANALYTICS_DEMO=1: the demo connections were added'),
      (e) => log.warn(`WABA_ANALYTICS_DEMO=1: the demo connections could not be added: ${describeError(e)}`),
    );
  }

  const connectionOf = (node: unknown): ConnectionNode => {
    if (node instanceof ConnectionNode) return node;
    throw new WabaError('input', 'Pick a connection in the WABA Analytics view.');
  };
  registerCommand(context, 'wabaAnalytics.editConnection', 'Edit connection', async (node: ConnectionNode) => {
    const c = connectionOf(node);
    if (c.meta.demo) return;
    const previous = await store.readSecret(c.meta.id);
    const secret = await askSecret(providerDescriptor(c.meta.provider), () => `Edit "${c.meta.label}"`, previous ?? ({ provider: c.meta.provider } as ConnectionSecret));
    await store.setSecret(c.meta.id, secret);
    // New credentials may reach another account: nothing cached under the old ones is reused.
    queries.cache.clear(c.meta.id);
    tree.refresh(c);
  });
  registerCommand(context, 'wabaAnalytics.renameConnection', 'Rename connection', async (node: ConnectionNode) => {
    const c = connectionOf(node);
    const label = await ask({ title: 'Rename connection', value: c.meta.label, validateInput: required('A name') });
    await store.update(c.meta.id, { label });
  });
  registerCommand(context, 'wabaAnalytics.removeConnection', 'Remove connection', async (node: ConnectionNode, opts?: { confirmed?: boolean }) => {
    const c = connectionOf(node);
    if (!opts?.confirmed) {
      const ok = await vscode.window.showWarningMessage(`Remove "${c.meta.label}"?`, { modal: true, detail: 'Its credentials are deleted from VS Code\'s secret storage. Exported files and saved queries stay.' }, 'Remove');
      if (ok !== 'Remove') return;
    }
    await store.remove(c.meta.id);
    queries.cache.clear(c.meta.id);
  });
  registerCommand(context, 'wabaAnalytics.addWabaId', 'Add WABA ID', async (node: ConnectionNode) => {
    const c = connectionOf(node);
    const ids = wabaIdList(await ask({ title: `Add WABA IDs to "${c.meta.label}"`, prompt: 'WABA IDs, comma-separated', validateInput: (s) => (wabaIdList(s).length && wabaIdList(s).every((x) => /^\d+$/.test(x)) ? undefined : 'WABA ids are digits.') }));
    await store.update(c.meta.id, { manualWabaIds: [...new Set([...c.meta.manualWabaIds, ...ids])] });
  });
  // A WABA added by hand can be removed again (a listed one comes back with the listing, so it has no such menu).
  registerCommand(context, 'wabaAnalytics.removeWabaId', 'Remove WABA', async (node: WabaNode, opts?: { confirmed?: boolean }) => {
    if (!(node instanceof WabaNode)) throw new WabaError('input', 'Pick a WABA added by hand in the WABA Analytics view.');
    const meta = node.connection.meta;
    if (!meta.manualWabaIds.includes(node.wabaId)) throw new WabaError('input', `WABA ${node.wabaId} was not added by hand; it is listed by the API.`);
    if (!opts?.confirmed) {
      const ok = await vscode.window.showWarningMessage(`Remove WABA ${node.info.name ?? node.wabaId} from "${meta.label}"?`, { modal: true, detail: 'Only the id added by hand is forgotten; add it again with "Add WABA ID…".' }, 'Remove');
      if (ok !== 'Remove') return;
    }
    await store.update(meta.id, { manualWabaIds: meta.manualWabaIds.filter((id) => id !== node.wabaId) });
    queries.cache.clear(meta.id);
  });
  registerCommand(context, 'wabaAnalytics.addTemplateIds', 'Add template IDs', async (node: TreeNode) => {
    const waba = node instanceof WabaNode ? node : node instanceof TemplatesNode ? node.waba : undefined;
    if (!waba) throw new WabaError('input', 'Pick a Vonage WABA in the WABA Analytics view.');
    const meta = waba.connection.meta;
    const ids = wabaIdList(await ask({ title: `Template IDs for ${waba.info.name ?? waba.info.id}`, prompt: 'Template IDs, comma-separated', value: (meta.manualTemplateIds[waba.info.id] ?? []).join(', ') }));
    await store.update(meta.id, { manualTemplateIds: { ...meta.manualTemplateIds, [waba.info.id]: ids } });
  });
}
