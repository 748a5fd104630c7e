package io.copytrader.chain;

/** Where the chain feed hands what it read, on its own thread, synchronously: when a call returns it is handled. */
public interface ChainFillSink {
    /** A target's fill seen for the first time (from the subscription or a backfill). */
    void onFill(ChainFill fill);

    /** A reorg took out the block of a fill handed over before. */
    void onRemoved(ChainFill fill);

    /** A fill removed by a reorg came back in another block. */
    void onReincluded(ChainFill fill);

    /** An OrderFilled log of a target that could not be read. */
    void onMalformed(ChainLog log, String reason);
}
