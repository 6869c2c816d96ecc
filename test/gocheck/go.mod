module segura-siem/test/gocheck

go 1.21
