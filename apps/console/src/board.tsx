import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, ApiError, type Session } from './api';
import { applyEvent, emptyBoard, fromSnapshot, type BoardState, type LiveCall, type ParkedCallJson, type StreamEvent } from './board-state';
import { recordUpdate } from './metrics';
import { observeServerTime } from './server-time';
import { EventStream, type StreamStatus } from './stream';
import { CallRow, SlotTile, startTicker, type CallActions } from './tiles';

interface Slot {
  number: string;
  name: string;
}
interface Group {
  id: string;
  name: string;
  members: string[];
  destinations: string[];
  useMembersAsDestinations: boolean;
}
interface Extension {
  number: string;
  name: string;
  endpoint: string;
}
interface MyCall {
  channelId: string;
  state: string;
  peer: { channelId: string; name: string; number: string } | null;
}
type Message = { kind: 'error' | 'info'; text: string } | null;
type Dialog = { kind: 'send'; call: LiveCall } | { kind: 'hangup'; call: LiveCall } | { kind: 'park-extension'; channelId: string } | null;

/**
 * The live parking board: a snapshot, then the tenant's events in sequence order. While the
 * stream is down, or an action found the service unavailable, it says it is stale.
 */
export function Board({ session }: { session: Session }) {
  const api = useMemo(() => new Api(session.key), [session.key]);
  const base = `/tenants/${session.tenantId}`;
  const board = useRef<BoardState>(emptyBoard());
  const pending = useRef<{ events: StreamEvent[]; snapshotting: boolean; since: number | null }>({ events: [], snapshotting: false, since: null });
  const [, setVersion] = useState(0);
  const [status, setStatus] = useState<StreamStatus | 'loading'>('loading');
  const [unavailable, setUnavailable] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  const [slots, setSlots] = useState<Slot[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [extensions, setExtensions] = useState<Extension[]>([]);
  const [myCalls, setMyCalls] = useState<MyCall[]>([]);
  const [parking, setParking] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [resyncs, setResyncs] = useState(0);

  const myEndpoint = extensions.find((x) => x.number === session.extension)?.endpoint ?? null;
  const byEndpoint = useMemo(() => new Map(extensions.map((x) => [x.endpoint, x.number])), [extensions]);
  const rerender = () => setVersion((v) => v + 1);

  const fail = (err: unknown) => {
    const e = err instanceof ApiError ? err : new ApiError('internal', 500, String(err));
    if (e.unavailable) setUnavailable(true);
    setMessage({ kind: 'error', text: e.message });
  };

  const refreshMyCalls = async () => {
    try {
      const { items } = await api.get<{ items: MyCall[] }>(`${base}/extensions/${session.extension}/calls`);
      setMyCalls(items);
      setParking((p) => (p && items.some((c) => c.peer?.channelId === p) ? p : null));
    } catch (err) {
      fail(err);
    }
  };

  // Events go through here: buffered while a snapshot loads, then applied in order.
  const handleEvent = (event: StreamEvent) => {
    const t0 = performance.now();
    if (pending.current.snapshotting) {
      pending.current.events.push(event);
      return;
    }
    observeServerTime(event.at);
    const result = applyEvent(board.current, event);
    if (result === 'gap') return void snapshot();
    if (result === 'old') return;
    recordUpdate(t0);
    if (event.type === 'recall_started' && myEndpoint && (event.data.endpoints as string[] | undefined)?.includes(myEndpoint)) {
      const call = board.current.calls.get(event.parkedCallId ?? '');
      setMessage({ kind: 'info', text: `A parked call is coming back to you: ${call?.caller.name || call?.caller.number || 'caller'} from ${call?.place ?? 'parking'}. Your phone is ringing.` });
    }
    if (event.type === 'park_failed') setMessage({ kind: 'error', text: `A park did not happen: ${String(event.data.message ?? event.data.reason)}. The caller was sent back.` });
    rerender();
  };

  const snapshot = async () => {
    const p = pending.current;
    if (p.snapshotting) return;
    p.snapshotting = true;
    try {
      const snap = await api.get<{ items: Array<ParkedCallJson & { id: string }>; seq: number; epoch: string; at: string }>(`${base}/parked-calls`);
      observeServerTime(snap.at);
      board.current = fromSnapshot(snap.items, snap.seq, snap.epoch, board.current.applied);
      setResyncs((n) => n + 1);
    } catch (err) {
      fail(err);
      p.snapshotting = false;
      return;
    }
    p.snapshotting = false;
    const buffered = p.events.splice(0);
    for (const event of buffered) handleEvent(event);
    setUnavailable(false);
    rerender();
  };

  useEffect(() => {
    let stream: EventStream | null = null;
    let stopped = false;
    void (async () => {
      try {
        const [s, g, x] = await Promise.all([api.all<Slot>(`${base}/slots`), api.all<Group>(`${base}/groups`), api.all<Extension>(`${base}/extensions`)]);
        setSlots(s.sort((a, b) => a.number.localeCompare(b.number, undefined, { numeric: true })));
        setGroups(g);
        setExtensions(x);
      } catch (err) {
        fail(err);
      }
      await snapshot();
      if (stopped) return;
      stream = new EventStream(session.key, session.tenantId, {
        position: () => ({ seq: board.current.seq, epoch: board.current.epoch }),
        onEvent: (e) => handlerRef.current(e),
        onResync: () => void snapshotRef.current(),
        onStatus: setStatus,
      });
      (window as unknown as { __parkingStream?: EventStream }).__parkingStream = stream;
      stream.open();
      void refreshMyCalls();
    })();
    const stopTicker = startTicker();
    return () => {
      stopped = true;
      stream?.close();
      stopTicker();
    };
  }, [session.key, session.tenantId]);

  // The stream's callbacks see the latest closures (my endpoint is known only after loading).
  const handlerRef = useRef(handleEvent);
  handlerRef.current = handleEvent;
  const snapshotRef = useRef(snapshot);
  snapshotRef.current = snapshot;

  // My calls change with every park, retrieve and call of mine: refresh when the board moves.
  useEffect(() => {
    const timer = window.setInterval(() => void refreshMyCalls(), 5000);
    return () => clearInterval(timer);
  }, [session.extension]);

  const act = async (fn: () => Promise<string | void>) => {
    setMessage(null);
    try {
      const done = await fn();
      if (done) setMessage({ kind: 'info', text: done });
      setUnavailable(false);
    } catch (err) {
      fail(err);
    }
    void refreshMyCalls();
  };

  const park = (channelId: string, target: { slot?: string; extension?: string }) =>
    act(async () => {
      const res = await api.post<{ place: string; retrievalNumber: string }>(`${base}/parked-calls`, { channelId, parker: session.extension, ...target });
      setParking(null);
      return `Parked on ${res.place}: retrieve with ${res.retrievalNumber}.`;
    });

  const actionsRef = useRef<CallActions>(null as unknown as CallActions);
  actionsRef.current = actionsRef.current ?? ({} as CallActions);
  // One object whose methods always call the latest code: rows compare it by identity.
  Object.assign(actionsRef.current, {
    retrieve: (call: LiveCall) =>
      act(async () => {
        await api.post(`${base}/parked-calls/${call.id}/retrieve`, { extension: session.extension });
        return `Your phone is ringing: answer to talk to ${call.caller.name || call.caller.number}.`;
      }),
    sendTo: (call: LiveCall) => setDialog({ kind: 'send', call }),
    hangUp: (call: LiveCall) => setDialog({ kind: 'hangup', call }),
    parkOnSlot: (slot: string, channelId?: string) => {
      const id = channelId ?? parking;
      if (id) void park(id, { slot });
    },
    extensionOf: (endpoint: string) => byEndpoint.get(endpoint) ?? endpoint.replace(/^[A-Za-z]+\//, ''),
  } satisfies CallActions);
  const actions = actionsRef.current;

  const calls = [...board.current.calls.values()];
  const bySlot = new Map(calls.filter((c) => c.placeKind === 'SLOT').map((c) => [c.place, c]));
  const others = calls.filter((c) => c.placeKind !== 'SLOT').sort((a, b) => a.parkedAt - b.parkedAt);
  const stale = status !== 'live' || unavailable;

  return (
    <div class="board" data-stale={String(stale)} data-seq={board.current.seq} data-applied={board.current.applied} data-snapshots={resyncs}>
      <p class={`status ${stale ? 'stale' : 'live'}`} role="status">
        {status === 'live' && !unavailable
          ? 'Live'
          : status === 'loading'
            ? 'Loading…'
            : unavailable
              ? 'Stale: the service is not answering actions. The board shows the last known state.'
              : 'Stale: reconnecting… the board will catch up without losing anything.'}
      </p>
      {message && (
        <p class={`message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}{' '}
          <button type="button" class="link" onClick={() => setMessage(null)} aria-label="Dismiss message">
            ✕
          </button>
        </p>
      )}
      {dialog && <ActionDialog dialog={dialog} close={() => setDialog(null)} act={act} api={api} base={base} park={park} />}
      <div class="layout">
        <section class="mycalls" aria-labelledby="mycalls-title">
          <h2 id="mycalls-title">My calls ({session.extension})</h2>
          <button type="button" onClick={() => void refreshMyCalls()}>
            Refresh
          </button>
          {myCalls.length === 0 ? (
            <p class="empty">No call on your phone.</p>
          ) : (
            <ul>
              {myCalls.map((c) => (
                <li
                  class={`mycall ${parking === c.peer?.channelId ? 'selected' : ''}`}
                  data-channel={c.channelId}
                  draggable={!!c.peer}
                  onDragStart={(e) => c.peer && e.dataTransfer?.setData('text/x-channel-id', c.peer.channelId)}
                >
                  <p>
                    <strong>{c.peer ? c.peer.name || c.peer.number : 'not connected'}</strong> {c.peer?.number} <span class="meta">{c.state}</span>
                  </p>
                  {c.peer && (
                    <div class="actions">
                      <button type="button" aria-pressed={parking === c.peer.channelId} onClick={() => setParking(parking === c.peer!.channelId ? null : c.peer!.channelId)}>
                        {parking === c.peer.channelId ? 'Choose a free slot…' : 'Park'}
                      </button>
                      <button type="button" onClick={() => void park(c.peer!.channelId, {})}>
                        Park (next free)
                      </button>
                      <button type="button" onClick={() => setDialog({ kind: 'park-extension', channelId: c.peer!.channelId })}>
                        Park on extension…
                      </button>
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="slots" aria-labelledby="slots-title">
          <h2 id="slots-title">Call park extensions</h2>
          <ul class="tiles">
            {slots.map((s) => (
              <SlotTile key={s.number} number={s.number} name={s.name} call={bySlot.get(s.number)} parking={parking} mine={session.extension} actions={actions} />
            ))}
          </ul>
          <h2 id="others-title">Parked on extensions and codes ({others.length})</h2>
          {others.length === 0 ? (
            <p class="empty">None.</p>
          ) : (
            <ul class="rows" aria-labelledby="others-title">
              {others.map((c) => (
                <CallRow key={c.id} call={c} mine={session.extension} actions={actions} />
              ))}
            </ul>
          )}
          {groups.length > 0 && (
            <>
              <h2>Groups</h2>
              <ul class="groups">
                {groups.map((g) => {
                  const parked = calls.filter((c) => c.groupId === g.id);
                  const places = g.useMembersAsDestinations ? g.members : g.destinations;
                  return (
                    <li class="group" data-group={g.name}>
                      <p>
                        <strong>{g.name}</strong> · members {g.members.join(', ') || 'none'} · {parked.length} parked
                      </p>
                      <p class="places">
                        {places.map((p) => {
                          const taken = calls.find((c) => c.place === p);
                          return <span class={`chip ${taken ? (taken.state === 'RECALLING' ? 'recalling' : 'occupied') : 'free'}`}>{p}</span>;
                        })}
                      </p>
                    </li>
                  );
                })}
              </ul>
            </>
          )}
        </section>
      </div>
    </div>
  );
}

interface DialogProps {
  dialog: NonNullable<Dialog>;
  close(): void;
  act(fn: () => Promise<string | void>): Promise<void>;
  park(channelId: string, target: { extension: string }): Promise<void>;
  api: Api;
  base: string;
}

/** Send to…, Park on extension… and the hang-up confirmation. */
function ActionDialog({ dialog, close, act, api, base, park }: DialogProps) {
  const [number, setNumber] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    close();
    if (dialog.kind === 'send') {
      const call = dialog.call;
      void act(async () => {
        await api.post(`${base}/parked-calls/${call.id}/retrieve`, { extension: number });
        return `Ringing ${number} with ${call.caller.name || call.caller.number}.`;
      });
    } else if (dialog.kind === 'park-extension') void park(dialog.channelId, { extension: number });
    else {
      const call = dialog.call;
      void act(async () => {
        await api.delete(`${base}/parked-calls/${call.id}`);
        return `Hung up ${call.caller.name || call.caller.number}.`;
      });
    }
  };
  const title =
    dialog.kind === 'send'
      ? `Send ${dialog.call.caller.name || dialog.call.caller.number} to…`
      : dialog.kind === 'park-extension'
        ? 'Park on extension…'
        : `Hang up ${dialog.call.caller.name || dialog.call.caller.number} (${dialog.call.place})?`;
  return (
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" onKeyDown={(e) => e.key === 'Escape' && close()}>
      <form onSubmit={submit}>
        <h2 id="dialog-title">{title}</h2>
        {dialog.kind !== 'hangup' && (
          <>
            <label for="dialog-number">Extension</label>
            <input id="dialog-number" inputMode="numeric" pattern="[0-9]+" required autoFocus value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
          </>
        )}
        <div class="actions">
          <button type="submit" class={dialog.kind === 'hangup' ? 'danger' : ''} autoFocus={dialog.kind === 'hangup'}>
            {dialog.kind === 'hangup' ? 'Hang up' : dialog.kind === 'send' ? 'Send' : 'Park'}
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
