package org.longform.engine.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The directory of a zip archive that lies in a mapped segment. torch.save writes its checkpoints as
 * zips of uncompressed ("stored") entries, so an entry's bytes can be handed out as a slice of the
 * mapping instead of being inflated onto the heap. Large shards use ZIP64 records, which are read too.
 */
final class StoredZip {

    /** One entry; {@code dataOffset} is where its bytes start in the file, found from the local header. */
    record Entry(String name, int method, long compressedSize, long size, long dataOffset) {}

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int LOCAL_SIG = 0x04034b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int EOCD_SIZE = 22, ZIP64_LOCATOR_SIZE = 20, ZIP64_EOCD_SIZE = 56;
    private static final int CENTRAL_SIZE = 46, LOCAL_SIZE = 30;
    private static final long U32_MAX = 0xFFFFFFFFL;
    private static final int ZIP64_EXTRA_ID = 0x0001;

    private final Path file;
    private final MemorySegment seg;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private StoredZip(Path file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
    }

    /** Reads the central directory of the zip in {@code seg}; {@code file} is only used in messages. */
    static StoredZip read(Path file, MemorySegment seg) {
        StoredZip zip = new StoredZip(file, seg);
        zip.readDirectory();
        return zip;
    }

    /** All entries in central-directory order (torch.save writes data.pkl first, then storages in key order). */
    Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** The entry's bytes as a slice of the mapping; compressed entries cannot be sliced, so they are an error. */
    MemorySegment data(Entry e) {
        if (e.method() != 0) {
            throw damaged("entry '" + e.name() + "' is compressed (zip method " + e.method()
                    + "); torch.save writes uncompressed entries, so this file was re-zipped by another tool."
                    + " Extract it and re-save with torch.save, or convert it to safetensors");
        }
        return seg.asSlice(e.dataOffset(), e.size());
    }

    private void readDirectory() {
        long size = seg.byteSize();
        long eocd = findEndRecord();
        long count = u16(eocd + 10);
        long cdSize = u32(eocd + 12);
        long cdOffset = u32(eocd + 16);

        // A ZIP64 locator sits right before the classic record; its record has the 64-bit values.
        if (eocd >= ZIP64_LOCATOR_SIZE && u32(eocd - ZIP64_LOCATOR_SIZE) == ZIP64_LOCATOR_SIG) {
            long z64 = u64(eocd - ZIP64_LOCATOR_SIZE + 8);
            require(z64, ZIP64_EOCD_SIZE, "ZIP64 end-of-central-directory record");
            if (u32(z64) != ZIP64_EOCD_SIG) {
                throw damaged(
                        "truncated or damaged: ZIP64 end-of-central-directory record not found where the locator points");
            }
            count = u64(z64 + 32);
            cdSize = u64(z64 + 40);
            cdOffset = u64(z64 + 48);
        } else if (count == 0xFFFF || cdSize == U32_MAX || cdOffset == U32_MAX) {
            throw damaged("truncated or damaged: zip needs ZIP64 records but has none");
        }
        require(cdOffset, cdSize, "zip central directory");

        long p = cdOffset, end = cdOffset + cdSize;
        for (long i = 0; i < count; i++) {
            if (p + CENTRAL_SIZE > end || u32(p) != CENTRAL_SIG) {
                throw damaged("truncated or damaged: zip central directory entry " + i + " is unreadable");
            }
            p = readCentralEntry(p, end);
        }
    }

    /** Parses one central-directory record at {@code p}, resolves its data via the local header, returns the next record. */
    private long readCentralEntry(long p, long end) {
        int flags = u16(p + 8);
        int method = u16(p + 10);
        long csize = u32(p + 20);
        long usize = u32(p + 24);
        int nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32);
        long localOffset = u32(p + 42);
        long next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
        if (next > end) throw damaged("truncated or damaged: zip central directory entry runs past its end");
        String name = new String(
                seg.asSlice(p + CENTRAL_SIZE, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        if ((flags & 1) != 0) throw damaged("entry '" + name + "' is encrypted");

        // ZIP64 extra field: holds, in this order, only those values whose 32-bit slot is 0xFFFFFFFF.
        long x = p + CENTRAL_SIZE + nameLen, xEnd = x + extraLen;
        while (x + 4 <= xEnd) {
            int id = u16(x), len = u16(x + 2);
            long v = x + 4, vEnd = v + len;
            if (vEnd > xEnd) break;
            if (id == ZIP64_EXTRA_ID) {
                if (usize == U32_MAX && v + 8 <= vEnd) {
                    usize = u64(v);
                    v += 8;
                }
                if (csize == U32_MAX && v + 8 <= vEnd) {
                    csize = u64(v);
                    v += 8;
                }
                if (localOffset == U32_MAX && v + 8 <= vEnd) {
                    localOffset = u64(v);
                }
            }
            x = vEnd;
        }
        if (usize < 0 || csize < 0 || localOffset < 0)
            throw damaged("damaged zip entry '" + name + "' (sizes overflow)");

        // The data starts after the LOCAL header, whose extra field differs from the central one
        // (torch pads it so tensor data is 64-byte aligned). Sizes come from the central record, which is
        // authoritative even when the local one defers them to a ZIP64 extra or a data descriptor.
        require(localOffset, LOCAL_SIZE, "local header of '" + name + "'");
        if (u32(localOffset) != LOCAL_SIG)
            throw damaged("truncated or damaged: local header of '" + name + "' is missing");
        long dataOffset = localOffset + LOCAL_SIZE + u16(localOffset + 26) + u16(localOffset + 28);
        require(dataOffset, csize, "entry '" + name + "'");
        entries.put(name, new Entry(name, method, csize, usize, dataOffset));
        return next;
    }

    /** Scans back from the end for the classic end record; a zip comment may follow it (up to 64 KiB). */
    private long findEndRecord() {
        long size = seg.byteSize();
        long lowest = Math.max(0, size - EOCD_SIZE - 0xFFFF);
        for (long p = size - EOCD_SIZE; p >= lowest; p--) {
            if (u32(p) == EOCD_SIG && p + EOCD_SIZE + u16(p + 20) == size) return p;
        }
        if (size >= 4 && u32(0) == LOCAL_SIG) {
            throw damaged("truncated or damaged: the zip end-of-central-directory record is missing (file is " + size
                    + " bytes; was the download or copy cut short?)");
        }
        if (size >= 2 && (seg.get(ValueLayout.JAVA_BYTE, 0) & 0xFF) == 0x80) {
            throw damaged("this is a legacy (pre-1.6) torch.save checkpoint, which is not supported;"
                    + " re-save it with a current torch.save or convert it to safetensors");
        }
        throw damaged("not a PyTorch checkpoint: it is not a zip archive");
    }

    /** Checks that {@code [off, off+len)} lies in the file; a range past the end means the file was cut short. */
    private void require(long off, long len, String what) {
        if (off < 0 || len < 0 || off > seg.byteSize() || len > seg.byteSize() - off) {
            throw damaged(
                    "truncated or damaged: " + what + " lies past the end of the file (" + seg.byteSize() + " bytes)");
        }
    }

    private ModelFormatException damaged(String problem) {
        return new ModelFormatException(file, problem);
    }

    private int u16(long off) {
        return seg.get(U16, off) & 0xFFFF;
    }

    private long u32(long off) {
        return seg.get(U32, off) & U32_MAX;
    }

    private long u64(long off) {
        return seg.get(U64, off);
    }
}
