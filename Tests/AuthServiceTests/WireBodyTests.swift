import Testing

@testable import AuthService

@Suite struct WireBodyTests {
    let time = "2022-06-13 17:54:10.137992 -0300 -03 m=+19746.016009415"

    @Test func loginSuccessHasContractKeyOrder() {
        let body = WireBody.success(
            description: "handlerAuthLogin:succsessfully", user: "alice", bearer: "tok", time: time)
        #expect(
            body
                == #"{"status":0,"description":"handlerAuthLogin:succsessfully","apiver":"v1 (\#(AuthdVersion.current))","user":"alice","bearer":"tok","time":"2022-06-13 17:54:10.137992 -0300 -03 m=+19746.016009415"}"#
        )
    }

    @Test func basicLogoutCarriesURLLinkBeforeTime() {
        let body = WireBody.success(
            description: "handlerAuthLogout:succsessfully", user: "bob", bearer: "",
            urllink: "https://example.com/bye", time: time)
        #expect(
            body
                == #"{"status":0,"description":"handlerAuthLogout:succsessfully","apiver":"v1 (\#(AuthdVersion.current))","user":"bob","bearer":"","urllink":"https://example.com/bye","time":"\#(time)"}"#
        )
    }

    @Test func errorBody() {
        #expect(
            WireBody.error(status: 401, description: "Unauthorized", time: time)
                == #"{"status":401,"description":"Unauthorized","apiver":"v1 (\#(AuthdVersion.current))","time":"\#(time)"}"#
        )
    }

    @Test func stringsAreEscaped() {
        #expect(WireBody.quoted("a\"b\\c\n\u{1}é") == #""a\"b\\c\n\u0001é""#)
    }
}
