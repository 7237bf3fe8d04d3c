package i18n

// zhMain is the Chinese of the command line: the step prompt, help, usage
// and errors.
var zhMain = map[string]string{
	" · Enter runs it, q quits ": " · 回车运行，q 回车退出 ",
}
