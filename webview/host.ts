/**
 * Messaging with the extension host: every message posted is checked against src/protocol.ts
 * first; requests carry an id and resolve when the matching reply arrives (or after a long
 * silence). The pending requests live in the object `connectHost` returns, not in the module.
 */
import type { HostMessage, PanelState, WebviewMessage } from '../src/protocol';
import { HostMessageSchema, PanelStateSchema, WebviewMessageSchema } from '../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export type Reply = Extract<HostMessage, { type: 'reply' }>;
type RequestMessage = Exclude<WebviewMessage, { type: 'ready' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Request = DistributiveOmit<RequestMessage, 'requestId'>;

const REPLY_TIMEOUT_MS = 10 * 60_000;

export interface Host {
  /** Says `ready`, after which the host sends what the panel shows. */
  ready(): void;
  /** Post a request; resolves with the host's reply (or a failure after a long silence). */
  request(message: Request): Promise<Reply>;
  /** The state saved with setState, if it is valid. */
  savedState(): PanelState | undefined;
  saveState(state: PanelState | undefined): void;
}

function vsCodeApi(): VsCodeApi {
  if (typeof acquireVsCodeApi === 'function') return acquireVsCodeApi();
  // Outside VS Code (a test page): keep state in memory, log posts.
  let state: unknown;
  return {
    postMessage: (m) => console.info('postMessage', m),
    getState: () => state,
    setState: (s) => (state = s),
  };
}

/** Listen to the host: `onMessage` receives each valid message except replies, which resolve their requests. */
export function connectHost(onMessage: (message: HostMessage) => void): Host {
  const api = vsCodeApi();
  const pending = new Map<number, (reply: Reply) => void>();
  let nextRequestId = 1;

  const post = (message: WebviewMessage): void => {
    const checked = WebviewMessageSchema.safeParse(message);
    if (!checked.success) {
      console.error('Refused to post an invalid message', checked.error.issues);
      return;
    }
    api.postMessage(checked.data);
  };

  window.addEventListener('message', (ev: MessageEvent) => {
    const parsed = HostMessageSchema.safeParse(ev.data);
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.type === 'reply') {
      const resolve = pending.get(msg.requestId);
      if (resolve) {
        pending.delete(msg.requestId);
        resolve(msg);
      }
      return;
    }
    onMessage(msg);
  });

  return {
    ready: () => post({ type: 'ready' }),
    request(message) {
      const requestId = nextRequestId++;
      return new Promise<Reply>((resolve) => {
        const timer = setTimeout(() => {
          if (pending.delete(requestId)) resolve({ type: 'reply', requestId, ok: false, message: 'No answer from the extension.' });
        }, REPLY_TIMEOUT_MS);
        pending.set(requestId, (reply) => {
          clearTimeout(timer);
          resolve(reply);
        });
        post({ ...message, requestId } as RequestMessage);
      });
    },
    savedState() {
      const saved = PanelStateSchema.safeParse(api.getState());
      return saved.success ? saved.data : undefined;
    },
    saveState(state) {
      if (!state) return;
      const checked = PanelStateSchema.safeParse(state);
      if (checked.success) api.setState(checked.data);
    },
  };
}
