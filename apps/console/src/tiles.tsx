import { Component } from 'preact';
import { clock, METHODS, type LiveCall } from './board-state';
import { serverNow } from './server-time';

/** What tiles and rows may ask the board to do; one stable object, so unchanged rows skip rendering. */
export interface CallActions {
  retrieve(call: LiveCall): void;
  sendTo(call: LiveCall): void;
  hangUp(call: LiveCall): void;
  parkOnSlot(slot: string, channelId?: string): void;
  extensionOf(endpoint: string): string;
}

export const since = (at: number) => clock((serverNow() - at) / 1000);
export const until = (at: number) => clock((at - serverNow()) / 1000);

/** Waiting time and time to recall; the page's ticker rewrites them every second (data-up/data-down). */
function Times({ call }: { call: LiveCall }) {
  return (
    <p class="times">
      waiting{' '}
      <span class="tick" data-up={call.parkedAt}>
        {since(call.parkedAt)}
      </span>
      {call.state === 'RECALLING' ? null : call.recallAt !== null ? (
        <>
          {' · recall in '}
          <span class="tick" data-down={call.recallAt}>
            {until(call.recallAt)}
          </span>
        </>
      ) : call.recallFailed ? (
        <> · recall {call.recallFailed}, retrying</>
      ) : null}
    </p>
  );
}

function Ringing({ call, actions, mine }: { call: LiveCall; actions: CallActions; mine: string }) {
  if (call.state !== 'RECALLING') return null;
  const whom = call.ringing.map((e) => actions.extensionOf(e));
  return (
    <p class="ringing" role="status">
      {whom.includes(mine) ? 'Ringing back to your phone' : `Ringing back ${whom.join(', ') || 'the parker'}`}
    </p>
  );
}

function CallButtons({ call, actions }: { call: LiveCall; actions: CallActions }) {
  const label = `${call.caller.name || call.caller.number} on ${call.place}`;
  return (
    <div class="actions">
      <button type="button" onClick={() => actions.retrieve(call)} aria-label={`Retrieve ${label} to my phone`}>
        Retrieve to my phone
      </button>
      <button type="button" onClick={() => actions.sendTo(call)} aria-label={`Send ${label} to another extension`}>
        Send to…
      </button>
      <button type="button" class="danger" onClick={() => actions.hangUp(call)} aria-label={`Hang up ${label}`}>
        Hang up
      </button>
    </div>
  );
}

function Who({ call }: { call: LiveCall }) {
  return (
    <>
      <p class="caller">
        <strong>{call.caller.name || 'Unknown'}</strong> <span>{call.caller.number}</span>
      </p>
      <p class="meta">
        parked by {call.parker ?? 'unknown'} · {METHODS[call.method] ?? call.method}
      </p>
    </>
  );
}

interface TileProps {
  number: string;
  name: string;
  call: LiveCall | undefined;
  /** A call of mine chosen to park: free tiles offer "Park here". */
  parking: string | null;
  mine: string;
  actions: CallActions;
}

/** A call park extension in BLF colours: free (green), occupied (red), recalling (flashing amber). */
export class SlotTile extends Component<TileProps> {
  shouldComponentUpdate(next: TileProps) {
    const p = this.props;
    return next.call !== p.call || next.parking !== p.parking || next.name !== p.name || next.mine !== p.mine;
  }

  render({ number, name, call, parking, mine, actions }: TileProps) {
    const state = !call ? 'free' : call.state === 'RECALLING' ? 'recalling' : 'occupied';
    const drop = {
      onDragOver: (e: DragEvent) => !call && e.preventDefault(),
      onDrop: (e: DragEvent) => {
        e.preventDefault();
        const channelId = e.dataTransfer?.getData('text/x-channel-id');
        if (channelId && !call) actions.parkOnSlot(number, channelId);
      },
    };
    return (
      <li class={`tile ${state}`} data-slot={number} data-state={state} aria-label={`Slot ${number}: ${state}`} {...drop}>
        <p class="slot">
          <span class="num">{number}</span> <span class="name">{name}</span> <span class="state">{state}</span>
        </p>
        {call ? (
          <>
            <Who call={call} />
            <Times call={call} />
            <Ringing call={call} actions={actions} mine={mine} />
            <CallButtons call={call} actions={actions} />
          </>
        ) : parking ? (
          <button type="button" class="park-here" onClick={() => actions.parkOnSlot(number)} aria-label={`Park on slot ${number}`}>
            Park here
          </button>
        ) : null}
      </li>
    );
  }
}

interface RowProps {
  call: LiveCall;
  mine: string;
  actions: CallActions;
}

/** A park on an extension or a random code, as a row of the list beside the tiles. */
export class CallRow extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps) {
    return next.call !== this.props.call || next.mine !== this.props.mine;
  }

  render({ call, mine, actions }: RowProps) {
    const state = call.state === 'RECALLING' ? 'recalling' : 'occupied';
    return (
      <li class={`row ${state}`} data-place={call.place} data-state={state}>
        <p class="slot">
          <span class="num">{call.retrievalNumber}</span> <span class="name">{call.placeKind === 'CODE' ? 'code' : `extension ${call.place}`}</span>
        </p>
        <Who call={call} />
        <Times call={call} />
        <Ringing call={call} actions={actions} mine={mine} />
        <CallButtons call={call} actions={actions} />
      </li>
    );
  }
}

/** Rewrites the ticking times in place once a second: no re-render of the board for the clock. */
export function startTicker(): () => void {
  const timer = window.setInterval(() => {
    for (const el of document.querySelectorAll<HTMLElement>('.tick')) {
      if (el.dataset.up) el.textContent = since(Number(el.dataset.up));
      else if (el.dataset.down) el.textContent = until(Number(el.dataset.down));
    }
  }, 1000);
  return () => clearInterval(timer);
}
