// URL path building: each segment percent-encoded, so a name can never change the path's shape.

// Joins segments ("auth", "approle", "role", name) into a /v1/-relative path.
export function vaultPath(...segments: string[]): string {
  return segments
    .flatMap((s) => s.split('/'))
    .filter((s) => s !== '')
    .map((s) => encodeURIComponent(s))
    .join('/')
}
