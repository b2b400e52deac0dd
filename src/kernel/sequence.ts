/**
 * Per-kernel bookkeeping of the protocol's `session` and `seq` (docs/protocol.md):
 * decides whether a message is new, a duplicate (two comms to one kernel both
 * carry every batch), or proof that messages were lost.
 */
export class SequenceTracker {
  /** The kernel process's session id, `null` before the first message. */
  get session(): string | null {
    return this._session;
  }

  /** The last batch number seen in this session. */
  get seq(): number {
    return this._seq;
  }

  /**
   * Account for a `hello` or `snapshot` (`seq` is the last batch the kernel sent).
   * Returns `true` when what the frontend shows must be refetched: a new kernel
   * session, or batches sent that never arrived.
   */
  acceptHandshake(session: string, seq: number): boolean {
    if (session !== this._session) {
      this._session = session;
      this._seq = seq;
      return true;
    }
    const missed = seq > this._seq;
    this._seq = Math.max(this._seq, seq);
    return missed;
  }

  /**
   * Account for batch `seq`: `duplicate` (already seen, drop it), `next` (apply),
   * `gap` (apply, and refetch what was lost) or `new-session` (apply and refetch).
   */
  acceptBatch(session: string, seq: number): SequenceTracker.Verdict {
    if (session !== this._session) {
      this._session = session;
      this._seq = seq;
      return 'new-session';
    }
    if (seq <= this._seq) {
      return 'duplicate';
    }
    const verdict = seq === this._seq + 1 ? 'next' : 'gap';
    this._seq = seq;
    return verdict;
  }

  /** Forget the session (the kernel restarted or changed). */
  reset(): void {
    this._session = null;
    this._seq = 0;
  }

  private _session: string | null = null;
  private _seq = 0;
}

export namespace SequenceTracker {
  export type Verdict = 'next' | 'duplicate' | 'gap' | 'new-session';
}
