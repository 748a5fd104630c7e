// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// Test double of Polymarket's CTF Exchange V2 events, placed at the exchange's address with anvil_setCode.
/// The two events are declared exactly as the exchange declares them (same names, types, indexing and order),
/// so their topic0 and data layout are the real ones. No state, no checks: tests say what happened.
/// Compiled with solc 0.8.28 (npm `solc`, standard JSON, optimizer on, 200 runs); its deployed (runtime) bytecode
/// is ExchangeEventEmitter.bin-runtime next to this file, so the tests need anvil only.
contract ExchangeEventEmitter {
    event OrderFilled(
        bytes32 indexed orderHash, address indexed maker, address indexed taker, uint8 side, uint256 tokenId,
        uint256 makerAmountFilled, uint256 takerAmountFilled, uint256 fee, bytes32 builder, bytes32 metadata
    );
    event OrdersMatched(
        bytes32 indexed takerOrderHash, address indexed takerOrderMaker, uint8 side, uint256 tokenId,
        uint256 makerAmountFilled, uint256 takerAmountFilled
    );

    /// One OrderFilled, as for one order of a match.
    function emitFill(
        bytes32 orderHash, address maker, address taker, uint8 side, uint256 tokenId,
        uint256 makerAmountFilled, uint256 takerAmountFilled, uint256 fee
    ) external {
        emit OrderFilled(orderHash, maker, taker, side, tokenId, makerAmountFilled, takerAmountFilled, fee,
            bytes32(0), bytes32(0));
    }

    /// `count` fills of one maker in one transaction: order hashes firstHash, firstHash + 1, ..., the i-th (from 0)
    /// filled (i + 1) times the given amounts (same price, different sizes).
    function emitFills(
        bytes32 firstHash, address maker, address taker, uint8 side, uint256 tokenId,
        uint256 makerAmountFilled, uint256 takerAmountFilled, uint256 count
    ) external {
        for (uint256 i = 0; i < count; i++) {
            emit OrderFilled(bytes32(uint256(firstHash) + i), maker, taker, side, tokenId, makerAmountFilled * (i + 1),
                takerAmountFilled * (i + 1), 0, bytes32(0), bytes32(0));
        }
    }

    /// One matchOrders of one resting maker order against one taker order, as the exchange emits it: the maker
    /// order's fill (taker = the taker order's funder), the taker order's fill (taker = this exchange), then
    /// OrdersMatched repeating the taker's fill. takerSide 0 = BUY: the taker pays `cash` for `shares`.
    function emitMatch(
        bytes32 makerOrderHash, address makerOrderMaker, bytes32 takerOrderHash, address takerOrderMaker,
        uint8 takerSide, uint256 tokenId, uint256 shares, uint256 cash
    ) external {
        uint8 makerSide = takerSide == 0 ? 1 : 0;
        (uint256 makerGives, uint256 makerGets) = makerSide == 0 ? (cash, shares) : (shares, cash);
        emit OrderFilled(makerOrderHash, makerOrderMaker, takerOrderMaker, makerSide, tokenId, makerGives, makerGets,
            0, bytes32(0), bytes32(0));
        emit OrderFilled(takerOrderHash, takerOrderMaker, address(this), takerSide, tokenId, makerGets, makerGives,
            0, bytes32(0), bytes32(0));
        emit OrdersMatched(takerOrderHash, takerOrderMaker, takerSide, tokenId, makerGets, makerGives);
    }
}
