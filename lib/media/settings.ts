// How long media URLs live and media is kept (README → Media; env, with defaults).
import { positiveNumberEnv } from "@/lib/env";
import { retentionPolicy } from "@/lib/retention/policy";

export function mediaSettings(env: NodeJS.ProcessEnv = process.env) {
  return {
    /** A presigned / Herald-signed upload URL. */
    uploadUrlSeconds: positiveNumberEnv("HERALD_MEDIA_UPLOAD_URL_TTL_SECONDS", 900, env),
    /** A download URL handed to a member or API client: short, it is a bearer credential. */
    downloadUrlSeconds: positiveNumberEnv("HERALD_MEDIA_DOWNLOAD_URL_TTL_SECONDS", 300, env),
    /**
     * A URL handed to a provider or a device (push `image_url`, fetched when the notification
     * shows): long enough to outlive delivery; S3 caps presigned URLs at 7 days.
     */
    linkUrlSeconds: Math.min(604_800, positiveNumberEnv("HERALD_MEDIA_LINK_TTL_SECONDS", 604_800, env)),
    /** Days an object is kept when its upload named no retention (the retention module's `media` kind). */
    retentionDays: Math.floor(retentionPolicy(env).days.media),
  };
}
