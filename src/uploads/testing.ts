// Test support: a real S3-compatible server (s3rver, in-process, on a loopback port) that can be
// stopped and started again on the same port and directory, to play a storage outage.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export const S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export class TestS3 {
  readonly dir = mkdtempSync(join(tmpdir(), "clickclack-s3-"));
  port = 0;
  private server: S3rver | null = null;

  constructor(readonly bucket = "clickclack-test") {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = new S3rver({ address: "127.0.0.1", port: this.port, silent: true, directory: this.dir, configureBuckets: [{ name: this.bucket }] });
    this.port = (await this.server.run()).port;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }

  /** Server settings that point ClickClack at this bucket, under `prefix`. */
  args(prefix: string): string[] {
    return ["--uploads", `s3://${this.bucket}/${prefix}`, "--s3-endpoint", this.endpoint, "--s3-region", "us-east-1", "--s3-access-key-id", S3_CREDENTIALS.accessKeyId, "--s3-secret-access-key", S3_CREDENTIALS.secretAccessKey];
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
