"""`python -m listserve` and the `listserve` command."""

import gc


def run() -> None:
    # Start-up (every module, the app and its mappers: ~150k objects, none of them garbage)
    # set off dozens of full collections that found nothing; the command group turns the
    # collector back on once the app is made (listserve.cli.main). A worker's start-up took
    # about a tenth less CPU.
    gc.disable()
    from listserve.cli import main

    main()


if __name__ == "__main__":
    run()
