-- Uploaded bytes are stored as they came, not compressed: pglz costs more time on a 1 MiB chunk
-- of CSV than it saves, and the chunks are read once or twice, then dropped with the upload.
ALTER TABLE "usage_file_upload_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
