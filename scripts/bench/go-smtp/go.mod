module bench/go-smtp

go 1.19
