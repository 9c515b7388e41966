from listserve.cli import main

main()
