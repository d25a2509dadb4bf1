// Uploads as they appear on the wire, and the limits that govern them.

export interface Upload {
  id: string;
  workspace_id: string;
  owner_id: string;
  nonce: string | null;
  filename: string;
  /** Sniffed from the bytes, never taken from the client. */
  content_type: string;
  byte_size: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  created_at: string;
  /** Where to download it (`GET /api/uploads/{id}`). */
  url: string;
}

export const UPLOAD_LIMITS = {
  /** One request: the multipart body as a whole. */
  requestBytes: 64 * 1024 * 1024,
  /** Per person across workspaces, unless configured otherwise. */
  quotaBytes: 512 * 1024 * 1024,
  quotaFiles: 64,
  filenameMaxChars: 200,
} as const;

export interface UploadQuota {
  maxBytes: number;
  maxFiles: number;
}

/** What the HTTP layer learned from the bytes it stored. */
export interface StoredUploadMeta {
  filename: string;
  contentType: string;
  byteSize: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  nonce: string | null;
  fingerprint: string;
}
