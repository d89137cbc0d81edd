package dev.rali.engine.io;

import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads image embeddings from Parquet, as the Spark jobs write them ({@code rali-spark embed}, or {@code score
 * --embeddings}): one row per image with {@code path}, {@code status}, {@code embedding: array<float>},
 * {@code content_sha256} and {@code encoder_sha256} (and {@code precision} from jobs that record it). A file, or a folder of part files (Spark's output; files
 * starting with {@code _} or {@code .} skipped). Runs without Spark or Hadoop: parquet's file reader on a local
 * file, pages decompressed in pure Java (uncompressed, Snappy, GZIP, ZSTD, LZ4_RAW). Every problem names the file
 * (and the row).
 */
public final class ParquetEmbeddings {
    private ParquetEmbeddings() { }

    /**
     * One row. {@code embedding} is null for an error row (then {@code error} says why, when the file has it);
     * {@code precision} is null when the file has no such column (vectors from before it: fp32).
     *
     * @param row 1-based row number within {@code file}
     */
    public record Row(Path file, long row, String path, String status, String error, float[] embedding,
                      String contentSha256, String encoderSha256, String precision) {
        public boolean ok() {
            return embedding != null && (status == null || status.equals("ok"));
        }
    }

    /** The part files of {@code fileOrFolder}, sorted. */
    public static List<Path> parts(Path fileOrFolder) throws IOException {
        if (Files.isRegularFile(fileOrFolder)) {
            return List.of(fileOrFolder);
        }
        if (!Files.isDirectory(fileOrFolder)) {
            throw new java.nio.file.NoSuchFileException(fileOrFolder.toString(), null, "no such Parquet file or folder");
        }
        try (Stream<Path> s = Files.list(fileOrFolder)) {
            List<Path> out = s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return !n.startsWith("_") && !n.startsWith(".") && !n.endsWith(".crc");
            }).sorted().toList();
            if (out.isEmpty()) {
                throw new IOException(fileOrFolder + ": no Parquet part files in this folder");
            }
            return out;
        }
    }

    /** Streams every row of every part file to {@code sink}, row group by row group (memory stays flat). */
    public static void read(Path fileOrFolder, Consumer<Row> sink) throws IOException {
        for (Path part : parts(fileOrFolder)) {
            readFile(part, sink);
        }
    }

    private static void readFile(Path file, Consumer<Row> sink) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new PureJavaCodecs()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            requireColumns(file, schema);
            long row = 0;
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    row++;
                    Group g = records.read();
                    sink.accept(new Row(file, row, string(g, "path"), string(g, "status"), string(g, "error"),
                            floats(g, "embedding"), string(g, "content_sha256"), string(g, "encoder_sha256"),
                            string(g, "precision")));
                }
            }
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw m.startsWith(file.toString()) ? (e instanceof IOException io ? io : new IOException(m, e))
                    : new IOException(file + ": not a readable Parquet embeddings file (" + m + ")", e);
        }
    }

    private static void requireColumns(Path file, MessageType schema) throws IOException {
        for (String c : List.of("path", "embedding", "content_sha256", "encoder_sha256")) {
            if (!schema.containsField(c)) {
                throw new IOException(file + ": needs a column '" + c + "' (the output of rali-spark embed, or score "
                        + "--embeddings); found " + schema.getFields().stream().map(Type::getName).toList());
            }
        }
        Type e = schema.getType("embedding");
        if (e.isPrimitive() || leaf(e.asGroupType()) == null) {
            throw new IOException(file + ": column 'embedding' must be array<float>, found " + e);
        }
    }

    /** The float leaf of a list column (standard 3-level or legacy 2-level layout), or null. */
    private static PrimitiveType leaf(GroupType t) {
        Type inner = t.getType(0);
        while (!inner.isPrimitive()) {
            inner = inner.asGroupType().getType(0);
        }
        PrimitiveType p = inner.asPrimitiveType();
        return p.getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.FLOAT ? p : null;
    }

    private static String string(Group g, String field) {
        if (!g.getType().containsField(field) || g.getFieldRepetitionCount(field) == 0) {
            return null;
        }
        return g.getString(field, 0);
    }

    private static float[] floats(Group g, String field) {
        if (g.getFieldRepetitionCount(field) == 0) {
            return null;
        }
        List<Float> out = new ArrayList<>();
        collect(g.getGroup(field, 0), out);
        float[] v = new float[out.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = out.get(i);
        }
        return v;
    }

    private static void collect(Group g, List<Float> out) {
        Type t = g.getType().getType(0);
        int n = g.getFieldRepetitionCount(0);
        for (int i = 0; i < n; i++) {
            if (t.isPrimitive()) {
                out.add(g.getFloat(0, i));
            } else {
                collect(g.getGroup(0, i), out);
            }
        }
    }

    /** Page decompression without Hadoop's codec classes or native libraries. */
    private static final class PureJavaCodecs implements CompressionCodecFactory {
        @Override
        public BytesInputCompressor getCompressor(CompressionCodecName codec) {
            throw new UnsupportedOperationException("read-only");
        }

        @Override
        public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
            return new BytesInputDecompressor() {
                @Override
                public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
                    byte[] in = bytes.toByteArray();
                    return BytesInput.from(inflate(codec, in, uncompressedSize));
                }

                @Override
                public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                        throws IOException {
                    byte[] in = new byte[compressedSize];
                    input.get(in);
                    output.put(inflate(codec, in, uncompressedSize));
                }

                @Override
                public void release() { }
            };
        }

        @Override
        public void release() { }

        private static byte[] inflate(CompressionCodecName codec, byte[] in, int size) throws IOException {
            Decompressor d = switch (codec) {
                case UNCOMPRESSED -> null;
                case SNAPPY -> new SnappyDecompressor();
                case ZSTD -> new ZstdDecompressor();
                case LZ4_RAW -> new Lz4Decompressor();
                case GZIP -> null;
                default -> throw new IOException("pages compressed with " + codec + " are not supported "
                        + "(write with snappy, zstd, gzip, lz4_raw or none)");
            };
            if (codec == CompressionCodecName.UNCOMPRESSED) {
                return in;
            }
            byte[] out = new byte[size];
            if (codec == CompressionCodecName.GZIP) {
                try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(in))) {
                    int n = z.readNBytes(out, 0, size);
                    if (n != size) {
                        throw new IOException("gzip page holds " + n + " bytes, its header says " + size);
                    }
                }
                return out;
            }
            int n = d.decompress(in, 0, in.length, out, 0, size);
            if (n != size) {
                throw new IOException(codec + " page holds " + n + " bytes, its header says " + size);
            }
            return out;
        }
    }
}
