import { applyEvent, fromSnapshot, type ParkedCallJson, type StreamEvent } from '../../../apps/console/src/board-state';

const call = (id: string, place: string): ParkedCallJson & { id: string } => ({
  id,
  place,
  placeKind: 'SLOT',
  retrievalNumber: place,
  caller: { name: 'Alice', number: '5551234' },
  parker: '101',
  method: 'BLIND_TRANSFER',
  groupId: null,
  state: 'PARKED',
  parkedAt: '2026-01-05T09:00:00.000Z',
  recallAt: '2026-01-05T09:02:00.000Z',
  timeoutAt: '2026-01-05T09:15:00.000Z',
});
const event = (seq: number, type: string, parkedCallId: string, data: Record<string, unknown> = {}): StreamEvent => ({ seq, type, parkedCallId, data, at: '2026-01-05T09:00:00.000Z' });
const dataOf = (id: string, place: string): Record<string, unknown> => {
  const { id: _id, ...data } = call(id, place);
  return data;
};

/** The console's board: a snapshot, then events in sequence; none twice, a gap asks for a snapshot. */
describe('console board state', () => {
  it('applies events in order: parked, recall, failed recall, retrieved', () => {
    const board = fromSnapshot([], 4, 'e1', 0);
    expect(applyEvent(board, event(5, 'parked', 'c1', dataOf('c1', '7001')))).toBe('applied');
    expect(board.calls.get('c1')).toMatchObject({ place: '7001', state: 'PARKED', recallAt: Date.parse('2026-01-05T09:02:00.000Z') });
    applyEvent(board, event(6, 'recall_started', 'c1', { endpoints: ['PJSIP/101'] }));
    expect(board.calls.get('c1')).toMatchObject({ state: 'RECALLING', ringing: ['PJSIP/101'] });
    applyEvent(board, event(7, 'recall_failed', 'c1', { reason: 'busy' }));
    expect(board.calls.get('c1')).toMatchObject({ state: 'PARKED', ringing: [], recallAt: null, recallFailed: 'busy' });
    applyEvent(board, event(8, 'retrieved', 'c1'));
    expect(board.calls.size).toBe(0);
    expect(board).toMatchObject({ seq: 8, applied: 4 });
  });

  it('ignores what the snapshot already holds, and reports a gap instead of guessing', () => {
    const board = fromSnapshot([call('c1', '7001')], 10, 'e1', 0);
    expect(applyEvent(board, event(9, 'hung_up', 'c1'))).toBe('old');
    expect(board.calls.has('c1')).toBe(true);
    expect(applyEvent(board, event(12, 'hung_up', 'c1'))).toBe('gap');
    expect(board.calls.has('c1')).toBe(true);
    // A parked event for a call the snapshot already listed replaces it: never two.
    applyEvent(board, event(11, 'parked', 'c1', dataOf('c1', '7001')));
    expect(board.calls.size).toBe(1);
  });

  it('a hunt-group hand-over ends the call; a hunt-group ring marks it recalling', () => {
    const board = fromSnapshot([call('c1', '7001'), call('c2', '7002')], 0, 'e1', 0);
    applyEvent(board, event(1, 'returned_to_hunt_group', 'c1', { endpoints: ['PJSIP/201'] }));
    applyEvent(board, event(2, 'returned_to_hunt_group', 'c2', { destination: 'operator' }));
    expect(board.calls.get('c1')?.state).toBe('RECALLING');
    expect(board.calls.has('c2')).toBe(false);
  });
});
