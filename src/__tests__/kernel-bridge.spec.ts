import { KernelBridge } from '../kernel/bridge';
import { SequenceTracker } from '../kernel/sequence';
import { parseKernelMessage } from '../kernel/validate';
import { ILiveUpdate } from '../tokens';
import { FakeKernel, hello, metricsBatch, settle } from './fakes';

describe('SequenceTracker', () => {
  it('accepts the next batch, drops duplicates and reports gaps', () => {
    const sequence = new SequenceTracker();
    expect(sequence.acceptHandshake('s1', 0)).toBe(true); // new session
    expect(sequence.acceptBatch('s1', 1)).toBe('next');
    expect(sequence.acceptBatch('s1', 1)).toBe('duplicate');
    expect(sequence.acceptBatch('s1', 2)).toBe('next');
    expect(sequence.acceptBatch('s1', 5)).toBe('gap');
    expect(sequence.acceptBatch('s1', 4)).toBe('duplicate');
    expect(sequence.acceptBatch('s2', 1)).toBe('new-session');
  });

  it('asks for a refetch when a hello says batches were sent unseen', () => {
    const sequence = new SequenceTracker();
    sequence.acceptHandshake('s1', 3);
    expect(sequence.acceptHandshake('s1', 3)).toBe(false);
    expect(sequence.acceptHandshake('s1', 4)).toBe(true);
    expect(sequence.acceptHandshake('s2', 0)).toBe(true);
  });
});

describe('parseKernelMessage', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['an unknown type', { type: 'gossip', session: 's', seq: 1 }],
    ['a hello without session', { type: 'hello', protocol: 1, seq: 0 }],
    ['a negative seq', { type: 'batch', session: 's', seq: -1, events: [] }],
    ['events not a list', { type: 'batch', session: 's', seq: 1, events: {} }]
  ])('ignores %s with a warning', (_, data) => {
    expect(parseKernelMessage(data)).toBeNull();
    expect(warn).toHaveBeenCalled();
  });

  it('drops only the malformed events of a batch', () => {
    const message = parseKernelMessage({
      type: 'batch',
      session: 's',
      seq: 1,
      events: [
        { kind: 'experiment', action: 'created', experiment: 'e1' },
        { kind: 'status', component: 'c1' }, // no trials, experiments, status
        { kind: 'unheard-of' }
      ]
    });
    expect(message?.type).toBe('batch');
    expect(message?.type === 'batch' && message.events).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('decodes metric points from the binary buffers, NaN included', () => {
    const { data, buffers } = metricsBatch('s', 1, {
      steps: [0, 1, 2],
      values: [0.5, NaN, Infinity]
    });
    const message = parseKernelMessage(data, buffers);
    if (message?.type !== 'batch' || message.events[0].kind !== 'metrics') {
      throw new Error('expected a metrics batch');
    }
    const series = message.events[0].series.loss;
    expect(Array.from(series.steps)).toEqual([0, 1, 2]);
    expect(Array.from(series.values)).toEqual([0.5, NaN, Infinity]);
  });

  it('drops a metrics event whose buffers are missing or short', () => {
    const { data, buffers } = metricsBatch('s', 1, {
      steps: [0, 1],
      values: [1, 2]
    });
    const short = parseKernelMessage(data, [buffers[0], buffers[1]]);
    expect(short?.type === 'batch' && short.events).toEqual([]);
    expect(warn).toHaveBeenCalled();
  });
});

describe('KernelBridge', () => {
  function setUp() {
    const kernel = new FakeKernel();
    const bridge = new KernelBridge(kernel.asConnection());
    const updates: ILiveUpdate[] = [];
    bridge.received.connect((_, update) => updates.push(update));
    return { kernel, bridge, updates };
  }

  it('registers the target and opens a comm with a hello when the kernel is ready', async () => {
    const { kernel, bridge } = setUp();
    expect(kernel.targets.has('trialbook')).toBe(true);
    await settle();
    expect(kernel.comms).toHaveLength(1);
    expect(kernel.comms[0].opened).toEqual([{ type: 'hello', protocol: 1 }]);
    bridge.dispose();
  });

  it("adopts the library's comm after a reload and says hello on it", async () => {
    const kernel = new FakeKernel();
    kernel.commInfo = { 'kernel-comm': { target_name: 'trialbook' } };
    const bridge = new KernelBridge(kernel.asConnection());
    await settle();
    expect(kernel.comms).toHaveLength(1);
    expect(kernel.comms[0].commId).toBe('kernel-comm');
    expect(kernel.comms[0].sent).toEqual([{ type: 'hello', protocol: 1 }]);
    expect(kernel.comms[0].opened).toEqual([]);
    bridge.dispose();
  });

  it("answers the library's comm by opening its own (a subshell answers now)", async () => {
    const { kernel, bridge, updates } = setUp();
    await settle();
    kernel.comms[0].close(); // no library yet: the kernel closed ours
    kernel.comms[0].onClose({});
    kernel.openFromKernel('kernel-comm', hello('s1'));
    await settle();
    const own = kernel.comms[kernel.comms.length - 1];
    expect(own.commId).not.toBe('kernel-comm');
    expect(own.opened).toEqual([{ type: 'hello', protocol: 1 }]);
    expect(updates.map(update => update.resync)).toEqual([true]);
    bridge.dispose();
  });

  it('refetches on a gap, ignores duplicates from a second comm', async () => {
    const { kernel, bridge, updates } = setUp();
    await settle();
    const comm = kernel.comms[0];
    comm.receive(hello('s1', 0));
    const batch = (seq: number) =>
      metricsBatch('s1', seq, { steps: [seq], values: [seq] });
    comm.receive(batch(1).data, batch(1).buffers);
    comm.receive(batch(1).data, batch(1).buffers); // the same batch again
    comm.receive(batch(3).data, batch(3).buffers); // batch 2 was lost
    expect(updates.map(update => update.resync)).toEqual([true, false, true]);
    expect(updates[1].events[0].kind).toBe('metrics');
    bridge.dispose();
  });

  it('ignores a comm speaking an unknown protocol version', async () => {
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);
    const { kernel, bridge, updates } = setUp();
    await settle();
    const comm = kernel.comms[0];
    comm.receive(hello('s1', 0, 99));
    const batch = metricsBatch('s1', 1, { steps: [1], values: [1] });
    comm.receive(batch.data, batch.buffers);
    expect(updates).toEqual([]);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
    bridge.dispose();
  });

  it('starts over after a restart: resync, then a new comm once idle', async () => {
    const { kernel, bridge, updates } = setUp();
    await settle();
    kernel.comms[0].receive(hello('s1', 4));
    kernel.setStatus('restarting');
    expect(updates[updates.length - 1].resync).toBe(true);
    kernel.setStatus('idle');
    await settle();
    expect(kernel.comms).toHaveLength(2);
    // The new kernel process numbers its batches from 1 again.
    kernel.comms[1].receive(hello('s2', 0));
    const batch = metricsBatch('s2', 1, { steps: [0], values: [1] });
    kernel.comms[1].receive(batch.data, batch.buffers);
    expect(updates[updates.length - 1].resync).toBe(false);
    bridge.dispose();
  });

  it('leaves no handler behind when disposed', async () => {
    const { kernel, bridge } = setUp();
    await settle();
    const own = kernel.comms[0];
    bridge.dispose();
    expect(kernel.targets.has('trialbook')).toBe(false);
    expect(own.closed).toBe(true);
    kernel.setStatus('restarting'); // no longer observed: nothing throws
    expect(bridge.isDisposed).toBe(true);
  });
});
