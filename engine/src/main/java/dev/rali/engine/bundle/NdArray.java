package dev.rali.engine.bundle;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A numeric n-d array read from a numpy/torch/joblib file, row-major (C order), values widened to double.
 * dtype is numpy's descriptor without byte order ("f4", "f8", "i8", "u1", "b1", "f2", "bf16").
 */
public record NdArray(String dtype, long[] shape, double[] data) {

    public long numel() {
        return data.length;
    }

    public int ndim() {
        return shape.length;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    public float[] floats() {
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (float) data[i];
        }
        return out;
    }

    /** The array as rows; it must be 2-D. */
    public float[][] matrix(String what) {
        if (shape.length != 2) {
            throw new IllegalArgumentException(what + " must be 2-D, has shape " + shapeString());
        }
        int r = (int) shape[0], c = (int) shape[1];
        float[][] m = new float[r][c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                m[i][j] = (float) data[i * c + j];
            }
        }
        return m;
    }

    /** The single value of a 0-d or one-element array. */
    public double scalar(String what) {
        if (data.length != 1) {
            throw new IllegalArgumentException(what + " must hold one value, has shape " + shapeString());
        }
        return data[0];
    }

    static long count(long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Bytes per element of a dtype (without byte-order prefix). */
    static int itemSize(String dtype) {
        return switch (dtype) {
            case "f8", "i8", "u8" -> 8;
            case "f4", "i4", "u4" -> 4;
            case "f2", "i2", "u2", "bf16" -> 2;
            case "i1", "u1", "b1" -> 1;
            default -> throw new IllegalArgumentException("unsupported dtype '" + dtype + "' (numeric arrays only)");
        };
    }

    /** Whether a dtype (without byte order) is one this class decodes. */
    static boolean isNumeric(String dtype) {
        return switch (dtype) {
            case "f8", "i8", "u8", "f4", "i4", "u4", "f2", "i2", "u2", "bf16", "i1", "u1", "b1" -> true;
            default -> false;
        };
    }

    /** Splits a numpy descriptor like "<f4", "|u1", ">i8", "float32" into (byte order, dtype). */
    static String[] parseDescr(String descr) {
        String d = descr.strip();
        char order = '<';
        if (!d.isEmpty() && "<>|=".indexOf(d.charAt(0)) >= 0) {
            order = d.charAt(0) == '>' ? '>' : '<'; // '=' native: every platform RALI runs on is little-endian
            d = d.substring(1);
        }
        d = switch (d) {
            case "float64", "d", "double" -> "f8";
            case "float32", "f", "float" -> "f4";
            case "float16", "e", "half" -> "f2";
            case "int64", "q", "l" -> "i8";
            case "int32", "i" -> "i4";
            case "int16", "h" -> "i2";
            case "int8", "b" -> "i1";
            case "uint8", "B" -> "u1";
            case "bool", "?" -> "b1";
            default -> d;
        };
        itemSize(d);
        return new String[] {String.valueOf(order), d};
    }

    /** Decodes count elements at buf's position (advancing it). */
    static double[] decode(ByteBuffer buf, String dtype, char order, long count) {
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("array of " + count + " elements is too large");
        }
        int n = (int) count;
        int size = itemSize(dtype);
        if (buf.remaining() < (long) n * size) {
            throw new IllegalArgumentException("array data truncated: need " + (long) n * size + " bytes, have " + buf.remaining());
        }
        ByteBuffer b = buf.slice().order(order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case "f8" -> b.getDouble();
                case "f4" -> b.getFloat();
                case "f2" -> halfToFloat(b.getShort());
                case "bf16" -> Float.intBitsToFloat((b.getShort() & 0xFFFF) << 16);
                case "i8" -> b.getLong();
                case "u8" -> { long v = b.getLong(); yield v >= 0 ? v : v + 0x1p64; }
                case "i4" -> b.getInt();
                case "u4" -> b.getInt() & 0xFFFFFFFFL;
                case "i2" -> b.getShort();
                case "u2" -> b.getShort() & 0xFFFF;
                case "i1" -> b.get();
                case "u1" -> b.get() & 0xFF;
                case "b1" -> b.get() != 0 ? 1 : 0;
                default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
            };
        }
        buf.position(buf.position() + n * size);
        return out;
    }

    /** Reorders Fortran-order (column-major) data into C order. */
    static double[] fortranToC(double[] f, long[] shape) {
        if (shape.length < 2) {
            return f;
        }
        int nd = shape.length;
        double[] out = new double[f.length];
        int[] idx = new int[nd];
        for (int c = 0; c < f.length; c++) {
            // idx = C-order multi-index of c; its Fortran linear index:
            long fi = 0, mul = 1;
            for (int d = 0; d < nd; d++) {
                fi += idx[d] * mul;
                mul *= shape[d];
            }
            out[c] = f[(int) fi];
            for (int d = nd - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f; // subnormal
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
