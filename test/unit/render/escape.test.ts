import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ConfigError } from '../../../src/errors.js'
import { goTemplateString } from '../../../src/render/go-template-string.js'
import { hclString } from '../../../src/render/hcl.js'
import { composeString, yamlString } from '../../../src/render/yaml-scalar.js'
import { readGoString, renderSubset } from './consul-template-subset.js'

// Values an inventory or a secret could carry to break out of a quoted literal.
const HOSTILE = [
  'plain',
  'a "quoted" value',
  'back\\slash\\',
  'line1\nline2\r\n\tend',
  '${interp} and %{directive} and $${escaped}',
  '{{ .Data.data.secret }} }} {{',
  "it's 'single' quoted",
  '"; foo = "bar',
  '\u0000nul \u001b[31m \u007f \u0085 \u2028 \u2029 \ufeff',
  'unicode é ü 漢字 😀',
  '$HOME $(id) `id`',
  '# not a comment',
  '',
]

describe('hclString', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['a\nb', '"a\\nb"'],
    ['${x}', '"\\u0024{x}"'],
    ['%{if}', '"\\u0025{if}"'],
    ['$x %d', '"$x %d"'],
    ['\u0001', '"\\u0001"'],
  ])('%j → %s', (input, expected) => {
    expect(hclString(input)).toBe(expected)
  })

  it.each(HOSTILE)('keeps %j inside one single-line literal with no template sequence', (value) => {
    const literal = hclString(value)
    const body = literal.slice(1, -1)
    expect(literal).toMatch(/^"[^\n\r]*"$/)
    expect(body.replaceAll('\\\\', '').replaceAll('\\"', '')).not.toContain('"')
    expect(body).not.toMatch(/[$%]\{/)
  })
})

describe('yamlString and composeString', () => {
  it.each(HOSTILE)('%j round-trips through a YAML parser unchanged', (value) => {
    const doc = parse(`key: ${yamlString(value)}\nother: 1\n`) as Record<string, unknown>
    expect(doc).toEqual({ key: value, other: 1 })
    expect(yamlString(value)).toMatch(/^"[\x20-\x7e]*"$/)
  })

  it('doubles every $ so compose does not interpolate', () => {
    expect(composeString('a$b${C}$$')).toBe('"a$$b$${C}$$$$"')
    const doc = parse(`k: ${composeString('${X} $Y')}\n`) as { k: string }
    expect(doc.k.replaceAll('$$', '$')).toBe('${X} $Y')
  })

  it('escapes code points above the BMP with \\U', () => {
    expect(yamlString('😀')).toBe('"\\U0001f600"')
  })
})

describe('goTemplateString', () => {
  it.each(HOSTILE)('%j reads back unchanged with Go string rules', (value) => {
    const literal = goTemplateString(value)
    expect(readGoString(literal, 0)).toEqual({ value, end: literal.length })
    expect(literal).not.toMatch(/[\n\r]/)
  })

  it('a hostile path stays one argument of `with secret` in the subset renderer', () => {
    const path = 'secret/data/x" }}{{ .Data.data.k }}{{ with secret "y'
    const template = `{{ with secret ${goTemplateString(path)} -}}\nK={{ .Data.data.k }}\n{{ end -}}\n`
    expect(renderSubset(template, { [path]: { k: 'v' } })).toBe('K=v\n')
  })
})

describe('escape functions refuse what is not text', () => {
  it.each([undefined, null, {}, ['a'], Number.NaN])('%j', (value) => {
    for (const escape of [hclString, yamlString, composeString, goTemplateString]) {
      expect(() => escape(value)).toThrow(ConfigError)
    }
  })

  it('rejects a lone surrogate and accepts numbers', () => {
    expect(() => hclString('a\ud800b')).toThrow(/lone surrogate/)
    expect(yamlString(100)).toBe('"100"')
  })
})
