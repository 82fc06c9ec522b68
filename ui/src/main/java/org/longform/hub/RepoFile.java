package org.longform.hub;

/**
 * One file of a hub repository as the tree API lists it.
 *
 * @param path   path inside the repository ("config.json", "sub/dir/file")
 * @param size   size in bytes
 * @param sha256 the LFS object id (sha256 of the content), or null for a file kept in git itself
 * @param gitOid the git blob id (sha1 of "blob SIZE\0" + content); the hub's "oid" for non-LFS files
 */
public record RepoFile(String path, long size, String sha256, String gitOid) {
    public RepoFile {
        if (path == null
                || path.isEmpty()
                || path.startsWith("/")
                || path.contains("\\")
                || ("/" + path + "/").contains("/../")
                || ("/" + path + "/").contains("/./")) {
            // a hostile or broken listing must never write outside the target folder
            throw new IllegalArgumentException("unsafe file path in repository listing: '" + path + "'");
        }
        if (size < 0) throw new IllegalArgumentException(path + ": negative size " + size);
    }

    /** Stored with Git LFS: the hub gives its sha256, which we verify. */
    public boolean lfs() {
        return sha256 != null;
    }

    /** The checksum we verify against: sha256 for LFS files, else the git blob sha1 (when the listing had one). */
    public String expectedDigest() {
        return lfs() ? sha256 : gitOid;
    }
}
