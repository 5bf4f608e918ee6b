// The logic-free override syntax: exact pieces, exact errors, the secret rule, and a differential
// fuzz proving that whatever it accepts renders byte for byte as ejs would render it.
import ejs from 'ejs'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { Secret } from '../../../src/util/secret.js'
import { goTemplateString } from '../../../src/render/go-template-string.js'
import { hclString } from '../../../src/render/hcl.js'
import { parseOverride } from '../../../src/render/override-syntax.js'
import { renderOverride } from '../../../src/render/override-template.js'
import { composeString } from '../../../src/render/yaml-scalar.js'

const F = '/inv/templates/config.hcl.ejs'
const LOCALS = { hostName: 'authentik-1', composeProject: 'ak', container: { envFile: '/vault/secrets/.env' } }

describe('parseOverride', () => {
  it('splits text, substitutions and comments with their lines; -%> eats one line break', () => {
    expect(parseOverride('a <%= v.hostName %>\n<%# note\n -%>\nb\n<%=v.container.envFile-%>\r\nc<%# x -%>\rd', F)).toEqual([
      { kind: 'text', text: 'a ', line: 1 },
      { kind: 'variable', path: ['hostName'], line: 1 },
      { kind: 'text', text: '\n', line: 1 },
      { kind: 'text', text: 'b\n', line: 4 },
      { kind: 'variable', path: ['container', 'envFile'], line: 5 },
      { kind: 'text', text: 'c', line: 6 },
      { kind: 'text', text: 'd', line: 6 },
    ])
  })

  it.each([
    ['x\n\n<% if (v.a) { %>', '3: "<% if (v.a) { %>" runs code or prints raw output'],
    ['<%- v.hostName %>', '1: "<%- v.hostName %>" runs code or prints raw output'],
    ['<%_ x %>', '1: "<%_ x %>" runs code or prints raw output'],
    ['a <%% b', '1: the literal <%% is not supported'],
    ['<%# a <% b %>', '1: "<%# a <% b %>" holds another <%'],
    ['<%= v.a %%>', '1: "<%= v.a %%>" ends in an unsupported %%>'],
    ['<%= v.hostName _%>', '1: "<%= v.hostName _%>" ends in an unsupported _%>'],
    ['<%= v.a.b() %>', '1: "<%= v.a.b() %>" is not a plain <%= v.name %> substitution'],
    ['<%= v["a"] %>', '1: "<%= v[\\"a\\"] %>" is not a plain'],
    ['<%= v. a %>', '1: "<%= v. a %>" is not a plain'],
    ['<%= x %>', '1: "<%= x %>" is not a plain'],
    ['a\nb %> c', '2: a closing %> without an opening <%'],
    ['<%= v.a %>\n%%>', '2: a closing %> without an opening <%'],
    ['<%# never closed\n', '1: "<%# never closed" is never closed with %>'],
    [`<%= ${'x'.repeat(100)} %>`, `1: "<%= ${'x'.repeat(41)}..." is not a plain`],
  ])('%j is refused at file:line', (source, message) => {
    expect(() => parseOverride(source, F)).toThrow(ConfigError)
    expect(() => parseOverride(source, F)).toThrow(`${F}:${message}`)
  })
})

describe('renderOverride', () => {
  it('substitutes through the escape and reads only own properties of plain objects', () => {
    expect(renderOverride(F, 'h = <%= v.hostName %>\n', LOCALS, hclString, [])).toBe('h = "authentik-1"\n')
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(() => renderOverride(F, `<%= v.${name} %>`, LOCALS, hclString, [])).toThrow(`${F}:1: unknown variable v.${name}`)
      expect(() => renderOverride(F, `<%= v.hostName.${name} %>`, LOCALS, hclString, [])).toThrow(`unknown variable v.hostName.${name}`)
    }
  })

  it('lists what an override can read in the hint', () => {
    const error: unknown = (() => {
      try {
        return renderOverride(F, '<%= v.nope %>', LOCALS, hclString, [])
      } catch (e) {
        return e
      }
    })()
    expect((error as ConfigError).hint).toBe('an override can read: v.hostName, v.composeProject, v.container.envFile')
  })

  it('lets a secret through only when the template asked for it by name', () => {
    const secret = new Secret('s3cr3t-value-xyz')
    const locals = { ...LOCALS, token: secret.reveal() }
    expect(renderOverride(F, 't = <%= v.token %>', locals, hclString, [secret])).toBe('t = "s3cr3t-value-xyz"')
    expect(() => renderOverride(F, 'a\nt = s3cr3t-value-xyz', locals, hclString, [secret])).toThrow(`${F}:2: this override would write a secret authctl holds`)
    expect(() => renderOverride(F, 't = s3cr3t<%# -%>\n-value-xyz', locals, hclString, [secret])).toThrow(`${F}:1: this override would write a secret`)
  })
})

// A seeded generator, so a failure names an input that reproduces.
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FRAGMENTS = [
  'text', ' ', '\t', '\n', '\r\n', '<%= v.hostName %>', '<%=v.container.envFile-%>', '<%= v.composeProject -%>\n',
  '<%# c %>', '<%# c -%>', '-%>', '%>', '%%>', '<%%', '<%', '<%=', '<%-', '<%_', '_%>', '%', '<', '>', '=', '#', '-',
  ' v.hostName ', 'v.', 'constructor', 'process.env.VAULT_TOKEN', "this.constructor.constructor('return process')()",
  '`${', '}`', "'", '"', '$', '{', '}', '<%= v.nope %>', '<%= v.container %>',
]
export const DIFFERENTIAL_INPUTS = 4000

describe('differential fuzz against ejs', () => {
  it(`renders ${DIFFERENTIAL_INPUTS} random templates exactly as ejs does whenever it accepts one`, () => {
    const next = random(12)
    const escapes = [hclString, goTemplateString, composeString]
    let accepted = 0
    for (let n = 0; n < DIFFERENTIAL_INPUTS; n++) {
      const source = Array.from({ length: 1 + Math.floor(next() * 12) }, () => FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]).join('')
      const escape = escapes[n % escapes.length]!
      let ours: string
      try {
        ours = renderOverride(F, source, LOCALS, escape, [])
      } catch (error) {
        expect(error, source).toBeInstanceOf(ConfigError)
        continue
      }
      accepted++
      // Only inputs our parser accepted reach ejs: they hold no code, so running them is safe.
      const theirs = ejs.render(source, LOCALS, { localsName: 'v', strict: true, escape })
      expect(ours, JSON.stringify(source)).toBe(theirs)
    }
    // enough of both kinds to mean something
    expect(accepted).toBeGreaterThan(DIFFERENTIAL_INPUTS / 10)
    expect(accepted).toBeLessThan(DIFFERENTIAL_INPUTS * 0.9)
  })
})
