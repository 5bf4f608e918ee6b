// The files one test bed host is made of: its sshd config and its ForceCommand wrapper, which
// records every command line before running it the way sshd would have.

export interface HostFiles {
  address: string
  port: number
  hostKeys: string[]
  pidFile: string
  authorizedKeys: string
  wrapper: string
  commandLog: string
  user: string
  strictModes: boolean
  path: string
}

// sshd_config for one host: key-only login for the test user, every session through the wrapper.
export function sshdConfig(files: HostFiles): string {
  return [
    '# Written by the authctl test bed; one sshd per host.',
    `ListenAddress ${files.address}:${files.port}`,
    ...files.hostKeys.map((key) => `HostKey ${key}`),
    `PidFile ${files.pidFile}`,
    `AuthorizedKeysFile ${files.authorizedKeys}`,
    `AllowUsers ${files.user}`,
    `StrictModes ${files.strictModes ? 'yes' : 'no'}`,
    'PermitRootLogin no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitUserEnvironment no',
    'X11Forwarding no',
    'PrintMotd no',
    'PrintLastLog no',
    // authctl runs several sessions per host in parallel (forks, multiplexing).
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    'LogLevel VERBOSE',
    // A real server path, so SFTP uploads also pass through (and are logged by) the wrapper.
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    `ForceCommand ${files.wrapper}`,
    '',
  ].join('\n')
}

// Appends {"ts","command"} as one JSON line; perl-base is always on Debian and starts in ~2 ms.
// The command comes from the environment, never argv, so secrets in it stay out of ps.
const LOGGER = String.raw`use strict; use Fcntl qw(:flock);
my $log = $ARGV[0];
sub j { my $s = shift; $s =~ s/(["\\])/\\$1/g; $s =~ s/([\x00-\x1f\x7f])/sprintf("\\u%04x", ord($1))/ge; return "\"$s\""; }
my @t = gmtime(); my $ts = sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", $t[5] + 1900, $t[4] + 1, $t[3], $t[2], $t[1], $t[0]);
my $cmd = exists $ENV{SSH_ORIGINAL_COMMAND} ? j($ENV{SSH_ORIGINAL_COMMAND}) : "null";
open(my $fh, ">>", $log) or die "cannot open $log: $!\n";
flock($fh, LOCK_EX) or die "cannot lock $log: $!\n";
print $fh "{\"ts\":\"$ts\",\"command\":$cmd}\n";
close($fh) or die "cannot write $log: $!\n";`

// The ForceCommand wrapper: log first (refuse to run unlogged), then run the exact command line.
export function wrapperScript(files: HostFiles): string {
  for (const value of [files.commandLog, files.path]) {
    if (value.includes("'")) throw new Error(`test bed paths must not contain a quote: ${value}`)
  }
  return [
    '#!/bin/sh',
    '# authctl test bed ForceCommand: record the exact command line, then run it as sshd would.',
    `PATH='${files.path}'`,
    'export PATH',
    `/usr/bin/perl -e '${LOGGER}' '${files.commandLog}' || { echo 'testbed: cannot record the command' >&2; exit 255; }`,
    'if [ "${SSH_ORIGINAL_COMMAND+set}" = set ]; then',
    '  testbed_command=$SSH_ORIGINAL_COMMAND',
    // A real host without ForceCommand has no SSH_ORIGINAL_COMMAND: do not leak it to the command.
    '  unset SSH_ORIGINAL_COMMAND _',
    '  exec /bin/sh -c "$testbed_command"',
    'fi',
    'exec "${SHELL:-/bin/sh}" -l',
    '',
  ].join('\n')
}
