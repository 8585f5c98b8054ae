<?php
/**
 * Router for PHP's built-in server (php -S) in front of MediaWiki, written by
 * scripts/localwiki.py. `localwiki.py up` copies this file into the wiki's folder
 * (DIR/router.php); it logs to DIR/requests.log, next to itself.
 *
 * A router runs BEFORE the request is handled. To see the answer (HTTP status and
 * the MediaWiki-API-Error header), PHP entry points (api.php, index.php, load.php,
 * rest.php, ...) are required from here after registering a shutdown function,
 * instead of returning false. Existing static files are served by the built-in
 * server itself (return false); anything else gets a 404 from here.
 *
 * Exactly ONE line is appended per HTTP request, tab-separated:
 *   time  method  status  script  action  error  title  fault
 * time is UTC ISO 8601 with milliseconds; action is the API `action` (GET or POST);
 * error is the MediaWiki-API-Error header; title is the `title`, `titles` or `page`
 * parameter; fault names the injected fault (see faults.php). Empty fields are "-".
 */

$localwikiLog = __DIR__ . '/requests.log';
$localwikiStart = microtime(true);

function localwiki_field($v): string {
	if ($v === null || $v === '' || is_array($v)) {
		return '-';
	}
	$v = preg_replace('/[\t\r\n]+/', ' ', (string)$v);
	if (strlen($v) > 500) {
		$v = substr($v, 0, 500) . '...';
	}
	return $v;
}

function localwiki_param(string $name) {
	if (isset($_POST[$name]) && !is_array($_POST[$name])) {
		return $_POST[$name];
	}
	if (isset($_GET[$name]) && !is_array($_GET[$name])) {
		return $_GET[$name];
	}
	return null;
}

function localwiki_log_line(string $script, $status): void {
	global $localwikiLog;
	$error = null;
	foreach (headers_list() as $h) {
		if (stripos($h, 'MediaWiki-API-Error:') === 0) {
			$error = trim(substr($h, strlen('MediaWiki-API-Error:')));
		}
	}
	$title = localwiki_param('title');
	if ($title === null) {
		$title = localwiki_param('titles');
	}
	if ($title === null) {
		$title = localwiki_param('page');
	}
	if ($title === null && $script === '/index.php' && !empty($_SERVER['PATH_INFO'])) {
		$title = ltrim($_SERVER['PATH_INFO'], '/'); // /index.php/Title
	}
	$faults = $GLOBALS['localwikiFaultsFired'] ?? [];
	$t = microtime(true);
	$time = gmdate('Y-m-d\TH:i:s', (int)$t) . sprintf('.%03dZ', (int)(($t - floor($t)) * 1000));
	$line = implode("\t", [
		$time,
		localwiki_field($_SERVER['REQUEST_METHOD'] ?? null),
		localwiki_field($status),
		localwiki_field($script),
		localwiki_field(localwiki_param('action')),
		localwiki_field($error),
		localwiki_field($title),
		localwiki_field($faults ? implode(',', $faults) : null),
	]) . "\n";
	file_put_contents($localwikiLog, $line, FILE_APPEND | LOCK_EX);
}

$localwikiDocroot = rtrim($_SERVER['DOCUMENT_ROOT'], '/');
$localwikiPath = rawurldecode(parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?? '/');
if ($localwikiPath === '/' || $localwikiPath === '') {
	$localwikiPath = '/index.php';
}

// Split "/index.php/Title" into the script and PATH_INFO.
$localwikiScript = null;
$localwikiPathInfo = '';
if (preg_match('#^(/(?:[^/]+/)*?[^/]+\.php)(/.*)?$#', $localwikiPath, $m)) {
	$localwikiScript = $m[1];
	$localwikiPathInfo = $m[2] ?? '';
}

$localwikiFile = $localwikiScript !== null ? realpath($localwikiDocroot . $localwikiScript) : false;
if ($localwikiFile !== false && is_file($localwikiFile)
	&& strpos($localwikiFile, $localwikiDocroot . '/') === 0
) {
	// A PHP entry point: run it here, log after it (and after MediaWiki's own
	// shutdown functions, by registering the logger from a shutdown function).
	register_shutdown_function(static function () use ($localwikiScript) {
		register_shutdown_function(static function () use ($localwikiScript) {
			localwiki_log_line($localwikiScript, http_response_code());
		});
	});
	$_SERVER['SCRIPT_NAME'] = $localwikiScript;
	$_SERVER['SCRIPT_FILENAME'] = $localwikiFile;
	$_SERVER['PHP_SELF'] = $localwikiScript . $localwikiPathInfo;
	if ($localwikiPathInfo !== '') {
		$_SERVER['PATH_INFO'] = $localwikiPathInfo;
	} else {
		unset($_SERVER['PATH_INFO']);
	}
	chdir(dirname($localwikiFile));
	unset($m);
	require $localwikiFile;
	return true;
}

$localwikiStatic = realpath($localwikiDocroot . $localwikiPath);
if ($localwikiStatic !== false && is_file($localwikiStatic)
	&& strpos($localwikiStatic, $localwikiDocroot . '/') === 0
	&& substr($localwikiStatic, -4) !== '.php'
) {
	localwiki_log_line($localwikiPath, 200);
	return false;
}

http_response_code(404);
header('Content-Type: text/plain; charset=utf-8');
echo "Not found: $localwikiPath\n";
localwiki_log_line($localwikiPath, 404);
return true;
