package org.conv4j.nn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.DType;

/**
 * Reads and writes the safetensors format of Hugging Face and PyTorch checkpoints: an 8-byte little-endian header
 * length {@code N}, {@code N} bytes of UTF-8 JSON mapping each tensor name to its {@code dtype}, {@code shape} and
 * {@code data_offsets [begin, end)} in the byte buffer that follows (plus an optional {@code __metadata__} map of
 * strings), then the raw little-endian tensors. The buffer must be covered exactly, without holes or overlaps.
 *
 * <p>Floating tensors (F64, F32, F16, BF16) are read into {@link Checkpoint} as float; other dtypes (for example the
 * I64 {@code num_batches_tracked} of PyTorch batch norms) are skipped and listed.
 */
public final class SafeTensors {
    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private SafeTensors() {
    }

    /** One header entry. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
    }

    /** What a file holds: the header entries, the metadata, the float tensors read and the names skipped. */
    public record Contents(List<Entry> entries, Map<String, String> metadata, Checkpoint weights, List<String> skipped) {
    }

    /** Bytes per element of a safetensors dtype, or -1 when unknown. */
    static int elementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    /** Reads a whole file. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size < 8) {
                throw new IllegalArgumentException(file + ": " + size + " bytes is too short for a safetensors file");
            }
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = all.get(U64, 0);
            if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
                throw new IllegalArgumentException(file + ": header length " + Long.toUnsignedString(n)
                        + " is invalid for a file of " + size + " bytes");
            }
            byte[] hb = all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            String header = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(hb)).toString();
            MemorySegment data = all.asSlice(8 + n);
            return parse(file.toString(), header, data);
        }
    }

    private static Contents parse(String where, String header, MemorySegment data) {
        Object root;
        try {
            root = Json.parse(header);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + ": the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> md)) {
                    throw new IllegalArgumentException(where + ": __metadata__ is not an object");
                }
                for (Map.Entry<?, ?> m : md.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw new IllegalArgumentException(where + ": __metadata__." + m.getKey() + " is not a string");
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            entries.add(entry(where, name, e.getValue(), data.byteSize()));
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : byOffset) {
            if (e.begin() != at) {
                throw new IllegalArgumentException(where + ": tensor '" + e.name() + "' starts at byte " + e.begin()
                        + " of the data, expected " + at + " (holes and overlaps are not allowed)");
            }
            at = e.end();
        }
        if (at != data.byteSize()) {
            throw new IllegalArgumentException(where + ": tensors cover " + at + " bytes of a " + data.byteSize()
                    + "-byte data buffer");
        }
        Checkpoint w = new Checkpoint();
        List<String> skipped = new ArrayList<>();
        for (Entry e : entries) {
            float[] v = floats(e, data.asSlice(e.begin(), e.end() - e.begin()));
            if (v == null) {
                skipped.add(e.name() + " (" + e.dtype() + ")");
            } else {
                w.put(e.name(), e.shape(), v);
            }
        }
        return new Contents(List.copyOf(entries), metadata, w, List.copyOf(skipped));
    }

    private static Entry entry(String where, String name, Object value, long dataBytes) {
        String at = where + ": tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(at + " is not an object");
        }
        if (!(m.get("dtype") instanceof String dtype)) {
            throw new IllegalArgumentException(at + ": dtype is missing or not a string");
        }
        int size = elementSize(dtype);
        if (size < 0) {
            throw new IllegalArgumentException(at + ": unknown dtype " + dtype);
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw new IllegalArgumentException(at + ": shape is missing or not an array");
        }
        int[] shape = new int[shapeList.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(at + ": shape[" + i + "] = " + shapeList.get(i) + " is not a valid extent");
            }
            shape[i] = (int) (long) d;
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException ex) {
                throw new IllegalArgumentException(at + ": shape " + shapeList + " overflows");
            }
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
            throw new IllegalArgumentException(at + ": data_offsets must be [begin, end]");
        }
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new IllegalArgumentException(at + ": data_offsets [" + begin + ", " + end + "] outside the "
                    + dataBytes + "-byte data buffer");
        }
        if (elements > Long.MAX_VALUE / size || end - begin != elements * size) {
            throw new IllegalArgumentException(at + ": data_offsets span " + (end - begin) + " bytes, " + dtype + " "
                    + shapeList + " needs " + elements * size);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static float[] floats(Entry e, MemorySegment s) {
        int size = elementSize(e.dtype());
        long n = s.byteSize() / size;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + e.name() + "': " + n + " elements do not fit a Java array");
        }
        float[] v = new float[(int) n];
        switch (e.dtype()) {
            case "F32" -> MemorySegment.copy(s, F32, 0, v, 0, v.length);
            case "F64" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) s.getAtIndex(F64, i);
                }
            }
            case "F16" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.float16ToFloat(s.getAtIndex(S16, i));
                }
            }
            case "BF16" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.intBitsToFloat((s.getAtIndex(S16, i) & 0xffff) << 16);
                }
            }
            default -> {
                return null;
            }
        }
        return v;
    }

    /**
     * Writes {@code weights} (in their order) as {@code storage} (F32, F16 or BF16, rounded to nearest even) with
     * optional string metadata. The header is padded with spaces to a multiple of 8 bytes.
     */
    public static void write(Path file, Checkpoint weights, DType storage, Map<String, String> metadata) throws IOException {
        String tag = switch (storage) {
            case F32 -> "F32";
            case F16 -> "F16";
            case BF16 -> "BF16";
        };
        StringBuilder h = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                h.append(first ? "" : ",").append(Json.quote(m.getKey())).append(':').append(Json.quote(m.getValue()));
                first = false;
            }
            h.append('}');
        }
        long offset = 0;
        boolean first = metadata == null || metadata.isEmpty();
        for (String name : weights.names()) {
            Checkpoint.Entry e = weights.get(name);
            long bytes = (long) e.data().length * storage.byteSize();
            h.append(first ? "" : ",").append(Json.quote(name)).append(":{\"dtype\":\"").append(tag)
                    .append("\",\"shape\":[");
            int[] shape = e.shape();
            for (int i = 0; i < shape.length; i++) {
                h.append(i == 0 ? "" : ",").append(shape[i]);
            }
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
            first = false;
        }
        h.append('}');
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (hb.length + 7) / 8 * 8;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(hb);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            head.flip();
            writeFully(ch, head);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (String name : weights.names()) {
                for (float f : weights.get(name).data()) {
                    if (buf.remaining() < 4) {
                        buf.flip();
                        writeFully(ch, buf);
                        buf.clear();
                    }
                    switch (storage) {
                        case F32 -> buf.putFloat(f);
                        case F16 -> buf.putShort(Float.floatToFloat16(f));
                        case BF16 -> buf.putShort(DType.floatToBf16(f));
                    }
                }
            }
            buf.flip();
            writeFully(ch, buf);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
