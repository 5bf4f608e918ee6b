// Malformed inventories shared by the unit test and the CLI test: [name, file name, content, line, message].
export const MALFORMED: Array<[string, string, string, number, string]> = [
  ['unknown section type', 'hosts.ini', 'h0\n[g:foo]\n', 2, 'Section [g:foo] has unknown type: foo'],
  ['spaces in a section', 'hosts.ini', '\n[ g ]\n', 2, "Invalid section entry: '[ g ]'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters"],
  ['vars of an undefined group', 'hosts.ini', 'h1\n[x:vars]\na=1\n[y]\n', 2, 'Section [x:vars] not valid for undefined group: x'],
  ['undefined child group', 'hosts.ini', '[p:children]\nc\n', 2, 'Section [p:children] includes undefined group: c'],
  ['; mid-line is not a comment', 'hosts.ini', '# c\nh2 x=1 ; note\n', 2, 'Expected key=value host variable assignment, got: ;'],
  ['unequal range widths', 'hosts.ini', '[g]\nbad[01:3]\n', 2, 'host range must specify equal-length begin and end formats'],
  [':vars line without =', 'hosts.ini', '[g]\nh\n[g:vars]\nnovalue\n', 4, 'Expected key=value, got: novalue'],
  ['unclosed quote', 'hosts.ini', 'h1 a="open\n', 1, `Error parsing host definition 'h1 a="open': No closing quotation`],
  ['pattern ending in :', 'hosts.ini', '[g]\n\nhost:\n', 3, "Invalid host pattern 'host:' supplied, ending in ':' is not allowed, this character is reserved to provide a port."],
  ['YAML fed to INI', 'hosts.ini', '---\n', 1, "Invalid host pattern '---' supplied, '---' is normally a sign this is a YAML file."],
  ['group loop', 'hosts.ini', '[a:children]\nb\n[b:children]\na\n', 4, "Adding group 'a' as child to 'b' creates a recursive dependency loop."],
  ['set literal', 'hosts.ini', 'h s="{1,2}"\n', 1, 'Python sets cannot be represented in an inventory value: s={1,2}'],
  ['YAML hosts as a list', 'hosts.yml', 'all:\n  children:\n    web:\n      hosts:\n        - a\n', 5, 'Invalid "hosts" entry for "web" group, requires a dictionary, found "object" instead.'],
  ['YAML typo key', 'hosts.yml', 'web:\n  host:\n    a:\n', 2, 'Unexpected key (host) in group (web), only "vars", "children" and "hosts" are valid'],
  ['YAML integer host', 'hosts.yml', 'web:\n  hosts:\n    10:\n', 3, 'Host pattern 10 must be a string. Enclose integers/floats in quotation marks.'],
]
