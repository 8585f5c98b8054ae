<?php
/**
 * Fault injection for tests, included from LocalSettings.php of a wiki made by
 * scripts/localwiki.py (copied into the wiki's folder as DIR/faults.php).
 *
 * On every request it reads DIR/faults.json, if that file exists: a JSON object
 * of counters. A counter > 0 makes the next request it applies to fail, and is
 * decremented (under flock, so concurrent writers from Python stay consistent).
 * At most one fault fires per request. The router logs the fired fault name.
 *
 * Counters that apply to action=edit POSTs to api.php:
 *   http503     answer HTTP 503 (Retry-After: faults.json "retry_after", default 5),
 *               before MediaWiki runs: the edit is NOT made
 *   drop        close the connection without any answer, before MediaWiki runs:
 *               the edit is NOT made
 *   drop_after  make the edit (committed), then close the connection without
 *               any answer: the edit IS made but the client never hears of it
 *   badtoken    replace the request's CSRF token with a wrong one: error badtoken
 *   ratelimited the PingLimiter hook reports the 'edit' limit as hit: error
 *               ratelimited (works for accounts with noratelimit too)
 *   readonly    $wgReadOnly for this request: error readonly
 *   logout      ignore the request's cookies (a lost session): with assert=user
 *               error assertuserfailed; without it, badtoken (anonymous token)
 * Counter that applies to ANY api.php request carrying maxlag=N:
 *   maxlag      the ApiMaxLagInfo hook reports a lag of N+2 s: error maxlag,
 *               HTTP 200, headers Retry-After (MediaWiki: max(N, 5)) and
 *               X-Database-Lag
 */

if (!defined('MEDIAWIKI')) {
	exit(1);
}

$GLOBALS['localwikiFaultsFired'] = $GLOBALS['localwikiFaultsFired'] ?? [];

function localwiki_faults_file(): string {
	return __DIR__ . '/faults.json';
}

/** Read faults.json without changing it; [] when absent or broken. */
function localwiki_faults_peek(): array {
	$f = localwiki_faults_file();
	if (!is_file($f)) {
		return [];
	}
	$data = json_decode((string)@file_get_contents($f), true);
	return is_array($data) ? $data : [];
}

/** Consume one unit of fault $name; true if it fires for this request. */
function localwiki_fault_take(string $name): bool {
	if (!empty($GLOBALS['localwikiFaultsFired'])) {
		return false; // one fault per request
	}
	$f = localwiki_faults_file();
	if (!is_file($f)) {
		return false;
	}
	$h = @fopen($f, 'c+');
	if (!$h) {
		return false;
	}
	$fired = false;
	if (flock($h, LOCK_EX)) {
		$data = json_decode((string)stream_get_contents($h), true);
		if (is_array($data) && isset($data[$name]) && is_numeric($data[$name])
			&& (int)$data[$name] > 0
		) {
			$data[$name] = (int)$data[$name] - 1;
			ftruncate($h, 0);
			rewind($h);
			fwrite($h, json_encode($data, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE) . "\n");
			fflush($h);
			$fired = true;
		}
		flock($h, LOCK_UN);
	}
	fclose($h);
	if ($fired) {
		$GLOBALS['localwikiFaultsFired'][] = $name;
	}
	return $fired;
}

function localwiki_is_api(): bool {
	return defined('MW_API') || basename($_SERVER['SCRIPT_NAME'] ?? '') === 'api.php';
}

function localwiki_is_edit_post(): bool {
	if (!localwiki_is_api() || ($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
		return false;
	}
	$action = $_POST['action'] ?? $_GET['action'] ?? '';
	return $action === 'edit';
}

/**
 * Close this request's TCP connection without an answer: find the socket by its
 * ports in /proc/net/tcp, then shutdown(2) it through FFI (the server runs with
 * -d ffi.enable=1). The built-in server then writes into a closed socket and
 * carries on with the next request.
 */
function localwiki_drop_connection(): bool {
	$remotePort = (int)($_SERVER['REMOTE_PORT'] ?? 0);
	$localPort = (int)($_SERVER['SERVER_PORT'] ?? 0);
	$inodes = [];
	foreach (['/proc/net/tcp', '/proc/net/tcp6'] as $table) {
		$lines = @file($table, FILE_IGNORE_NEW_LINES) ?: [];
		foreach (array_slice($lines, 1) as $line) {
			$p = preg_split('/\s+/', trim($line));
			if (count($p) < 10) {
				continue;
			}
			$lp = hexdec(substr($p[1], strrpos($p[1], ':') + 1));
			$rp = hexdec(substr($p[2], strrpos($p[2], ':') + 1));
			if ($lp === $localPort && $rp === $remotePort) {
				$inodes[] = "socket:[{$p[9]}]";
			}
		}
	}
	if (!$inodes || !class_exists('FFI')) {
		return false;
	}
	$done = false;
	try {
		$ffi = FFI::cdef('int shutdown(int sockfd, int how);');
		foreach (scandir('/proc/self/fd') as $fd) {
			if (ctype_digit($fd) && in_array(@readlink("/proc/self/fd/$fd"), $inodes, true)) {
				$done = $ffi->shutdown((int)$fd, 2) === 0 || $done; // SHUT_RDWR
			}
		}
	} catch (Throwable $e) {
		error_log('localwiki: drop failed: ' . $e->getMessage());
		return false;
	}
	return $done;
}

if (localwiki_is_api() && is_file(localwiki_faults_file())) {
	$localwikiFaults = localwiki_faults_peek();
	if (localwiki_is_edit_post()) {
		if (!empty($localwikiFaults['drop']) && localwiki_fault_take('drop')) {
			ignore_user_abort(true);
			if (localwiki_drop_connection()) {
				http_response_code(444); // nginx's "no response": only the log sees it
			} else {
				error_log('localwiki: could not drop the connection');
				http_response_code(500);
			}
			exit(0);
		}
		if (!empty($localwikiFaults['http503']) && localwiki_fault_take('http503')) {
			http_response_code(503);
			header('Retry-After: ' . (int)($localwikiFaults['retry_after'] ?? 5));
			header('Content-Type: text/html; charset=utf-8');
			echo "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
				. "<body><h1>Service Unavailable</h1><p>localwiki fault injection</p></body></html>\n";
			exit(0);
		}
		if (!empty($localwikiFaults['badtoken']) && localwiki_fault_take('badtoken')) {
			$localwikiBadToken = str_repeat('0', 32) . '+\\';
			foreach (['_POST', '_GET', '_REQUEST'] as $localwikiVar) {
				if (isset($GLOBALS[$localwikiVar]['token'])) {
					$GLOBALS[$localwikiVar]['token'] = $localwikiBadToken;
				}
			}
		}
		if (!empty($localwikiFaults['readonly']) && localwiki_fault_take('readonly')) {
			$wgReadOnly = 'localwiki fault injection: the wiki is read-only for this request';
		}
		if (!empty($localwikiFaults['logout']) && localwiki_fault_take('logout')) {
			$_COOKIE = [];
		}
		if (!empty($localwikiFaults['ratelimited'])) {
			$wgHooks['PingLimiter'][] = static function ($user, $action, &$result, $incrBy) {
				static $fired = false;
				if ($action !== 'edit') {
					return true;
				}
				if ($fired || localwiki_fault_take('ratelimited')) {
					$fired = true;
					$result = true;
					return false;
				}
				return true;
			};
		}
		if (!empty($localwikiFaults['drop_after'])) {
			$wgHooks['APIAfterExecute'][] = static function ($module) {
				if ($module->getModuleName() === 'edit' && localwiki_fault_take('drop_after')) {
					// The edit is made; ApiMain still holds the answer in its output
					// buffer and commits before it sends anything.
					ignore_user_abort(true);
					localwiki_drop_connection();
				}
				return true;
			};
		}
	}
	if (!empty($localwikiFaults['maxlag'])) {
		$wgHooks['ApiMaxLagInfo'][] = static function (&$lagInfo) {
			$asked = $_POST['maxlag'] ?? $_GET['maxlag'] ?? null;
			if ($asked === null || !is_numeric($asked)) {
				return;
			}
			if (localwiki_fault_take('maxlag')) {
				$lagInfo = [
					'host' => 'localwiki-fault',
					'lag' => (int)$asked + 2,
					'type' => 'db',
				];
			}
		};
	}
	unset($localwikiFaults);
}
