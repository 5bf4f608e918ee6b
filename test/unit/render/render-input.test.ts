import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { validateRenderInput, type RenderInput } from '../../../src/render/render-input.js'
import { DEFAULT_INPUT } from './default-input.js'

describe('validateRenderInput', () => {
  it('accepts the default input and strips slashes around KV mount and path and after the root', () => {
    expect(validateRenderInput({ ...DEFAULT_INPUT, authentikRoot: '/data/authentik/', vaultKvMount: 'secret/', vaultKvPath: '/cwiq/shared/authentik/' })).toEqual({
      ...DEFAULT_INPUT,
      vaultCacert: undefined,
      pgSslmode: 'prefer',
      pgSslrootcert: undefined,
    })
  })

  it.each<[keyof RenderInput, string, RegExp]>([
    ['vaultKvPath', 'cwiq/"x', /vault_kv_path has an unsupported path segment "\\"x"/],
    ['vaultKvPath', 'cwiq/../other', /vault_kv_path has an unsupported path segment "\.\."/],
    ['vaultKvPath', 'a}}{{b', /vault_kv_path has an unsupported/],
    ['vaultKvPath', 'a?version=1', /vault_kv_path has an unsupported/],
    ['vaultKvPath', 'a//b', /vault_kv_path has an unsupported path segment ""/],
    ['vaultKvMount', 'sec ret', /vault_kv_mount has an unsupported/],
    ['vaultKvMount', "it's", /vault_kv_mount has an unsupported/],
    ['vaultAddr', 'vault:8200', /vault_addr must be an http\(s\) URL/],
    ['vaultAddr', 'not a url', /vault_addr is not a URL/],
    ['vaultAddr', 'https://user:pw@vault:8200', /vault_addr must not carry credentials/],
    ['vaultAddr', 'https://vault:8200\n', /vault_addr contains control characters/],
    ['authentikRoot', 'data/authentik', /authentik_root must be an absolute path/],
    ['authentikRoot', '/data/../etc', /authentik_root must not contain \.\. segments/],
    ['authentikRoot', '/data/auth entik', /authentik_root may only use letters, digits and _ \. -/],
    ['authentikRoot', '/tmp', /authentik_root is inside \/tmp, which belongs to the system/],
    ['authentikRoot', '/var/lib', /authentik_root is a system directory or holds one \(\/var\/lib\)/],
    ['composeProject', 'Authentik', /compose_project must be lowercase/],
    ['composeProject', 'a"b', /compose_project must be lowercase/],
    ['authentikImage', 'ghcr.io/goauthentik/server', /authentik_image must pin a release tag or digest/],
    ['authentikImage', 'ghcr.io/goauthentik/server:latest', /authentik_image must pin/],
    ['vaultImage', 'hashicorp/vault:1.21"\nx: y', /vault_image contains control characters/],
    ['vaultImage', 'hashicorp/vault:$TAG', /vault_image is not an image reference/],
    ['vaultApprole', 'auth/x', /vault_approle must be an AppRole name/],
    ['hostName', '', /host_name is missing or empty/],
  ])('%s = %j is refused', (field, value, message) => {
    const run = () => validateRenderInput({ ...DEFAULT_INPUT, [field]: value })
    expect(run).toThrow(ConfigError)
    expect(run).toThrow(message)
  })

  it.each([
    'hashicorp/vault:1.21.1',
    'registry.local:5000/team/vault:2.0.3-ubi',
    `hashicorp/vault@sha256:${'a'.repeat(64)}`,
    `ghcr.io/goauthentik/server:2026.2.2@sha256:${'0'.repeat(64)}`,
  ])('accepts the pinned image %s', (image) => {
    expect(validateRenderInput({ ...DEFAULT_INPUT, vaultImage: image }).vaultImage).toBe(image)
  })

  it('names the host in the message and points at the inventory', () => {
    const run = () => validateRenderInput({ ...DEFAULT_INPUT, vaultAddr: 'ftp://x' })
    expect(run).toThrow(/^authentik-1: vault_addr/)
  })
})
