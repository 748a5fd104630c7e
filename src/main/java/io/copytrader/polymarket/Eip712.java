package io.copytrader.polymarket;

import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The small part of EIP-712 that Polymarket needs: structs of static fields (uintN, address, bytes32) and strings,
 * hashed as {@code keccak256(typeHash || enc(field1) || ...)}, digested as {@code keccak256(0x1901 || domain ||
 * struct)}, signed with secp256k1 (web3j, RFC 6979 deterministic, low-s) as r || s || v with v in {27, 28}.
 *
 * <p>Written from the EIP-712 specification; every struct the adapter signs is covered by a known-answer test.
 */
final class Eip712 {
    private Eip712() {
    }

    /** Builds the encoded fields of one struct, word by word, after its type hash. */
    static final class Struct {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Struct(String typeSignature) {
            word(keccak(typeSignature.getBytes(StandardCharsets.UTF_8)));
        }

        Struct uint(BigInteger value) {
            if (value.signum() < 0 || value.bitLength() > 256) {
                throw new IllegalArgumentException("uint256 out of range: " + value);
            }
            word(Numeric.toBytesPadded(value, 32));
            return this;
        }

        Struct uint(long value) {
            return uint(BigInteger.valueOf(value));
        }

        Struct address(String hexAddress) {
            return uint(Numeric.toBigInt(requireAddress(hexAddress)));
        }

        Struct bytes32(String hex) {
            byte[] bytes = Numeric.hexStringToByteArray(hex);
            if (bytes.length != 32) {
                throw new IllegalArgumentException("bytes32 must be 32 bytes, but was " + bytes.length);
            }
            word(bytes);
            return this;
        }

        Struct string(String value) {
            word(keccak(value.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        byte[] hash() {
            return keccak(out.toByteArray());
        }

        private void word(byte[] word32) {
            out.writeBytes(word32);
        }
    }

    /** Domain separator with verifyingContract (exchange orders). */
    static byte[] domain(String name, String version, long chainId, String verifyingContract) {
        return new Struct("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
                .string(name).string(version).uint(chainId).address(verifyingContract).hash();
    }

    /** Domain separator without verifyingContract (ClobAuth). */
    static byte[] domain(String name, String version, long chainId) {
        return new Struct("EIP712Domain(string name,string version,uint256 chainId)")
                .string(name).string(version).uint(chainId).hash();
    }

    static byte[] digest(byte[] domainSeparator, byte[] structHash) {
        byte[] buffer = new byte[2 + 32 + 32];
        buffer[0] = 0x19;
        buffer[1] = 0x01;
        System.arraycopy(domainSeparator, 0, buffer, 2, 32);
        System.arraycopy(structHash, 0, buffer, 34, 32);
        return keccak(buffer);
    }

    /** 65-byte signature r || s || v as 0x-prefixed lower-case hex; v is 27 or 28. */
    static String sign(byte[] digest, ECKeyPair key) {
        Sign.SignatureData sig = Sign.signMessage(digest, key, false);
        byte[] all = new byte[65];
        System.arraycopy(sig.getR(), 0, all, 0, 32);
        System.arraycopy(sig.getS(), 0, all, 32, 32);
        all[64] = sig.getV()[0];
        return Numeric.toHexString(all);
    }

    /** The address (0x, lower case) whose key made this signature over this digest. */
    static String recoverAddress(byte[] digest, String signatureHex) {
        byte[] sig = Numeric.hexStringToByteArray(signatureHex);
        if (sig.length != 65) {
            throw new IllegalArgumentException("signature must be 65 bytes, but was " + sig.length);
        }
        Sign.SignatureData data = new Sign.SignatureData(sig[64], Arrays.copyOfRange(sig, 0, 32),
                Arrays.copyOfRange(sig, 32, 64));
        try {
            return "0x" + Keys.getAddress(Sign.signedMessageHashToKey(digest, data));
        } catch (SignatureException e) {
            throw new IllegalArgumentException("signature cannot be recovered: " + e.getMessage(), e);
        }
    }

    static String addressOf(ECKeyPair key) {
        return Keys.toChecksumAddress(Keys.getAddress(key));
    }

    static byte[] keccak(byte[] input) {
        return Hash.sha3(input);
    }

    static String hex(byte[] bytes) {
        return Numeric.toHexString(bytes);
    }

    static String requireAddress(String hexAddress) {
        if (hexAddress == null || !hexAddress.matches("0x[0-9a-fA-F]{40}")) {
            // the value is not echoed: a misplaced private key would otherwise end up in a log
            throw new IllegalArgumentException("an address must be 0x and 40 hex digits, but was "
                    + (hexAddress == null ? "null" : hexAddress.length() + " characters"));
        }
        return hexAddress.toLowerCase(Locale.ROOT);
    }
}
