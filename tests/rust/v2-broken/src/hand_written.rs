//! QueryMT's exports written out by hand, as `impl_extism_http_plugin!` and `register_exports!`
//! expand, for the faults the macro cannot make: with `reuse-ids` a parser id is handed out again
//! once its parser was closed (the lowest free one), so the host's old handle reaches a new
//! parser; with `bad-json` the parse export answers a line it parsed with text that is not JSON.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::{Factory, OpenAICompatible};

/// Public parser ids (reused) to the adapter's own (never reused).
#[derive(Default)]
struct Ids(BTreeMap<i64, i64>);

impl Ids {
    fn open(&mut self, internal: i64) -> i64 {
        let public = if cfg!(feature = "reuse-ids") {
            (1..).find(|id| !self.0.contains_key(id)).unwrap_or(1)
        } else {
            internal
        };
        self.0.insert(public, internal);
        public
    }

    fn internal(&self, public: i64) -> i64 {
        self.0.get(&public).copied().unwrap_or(-public)
    }

    fn close(&mut self, public: i64) -> i64 {
        self.0.remove(&public).unwrap_or(-public)
    }
}

thread_local! {
    static IDS: RefCell<Ids> = RefCell::new(Ids::default());
}

struct HandWritten;

impl querymt::guest::Exports for HandWritten {
    type Config = OpenAICompatible;

    fn name() -> ::std::result::Result<String, querymt::guest::Failure> {
        Ok(::std::string::ToString::to_string(&"v2-broken"))
    }

    fn base_url() -> ::std::result::Result<String, querymt::guest::Failure> {
        Ok(<OpenAICompatible>::default_base_url().as_str().to_string())
    }

    fn init_logging(input: u32) -> ::std::result::Result<(), querymt::guest::Failure> {
        querymt::plugin::extism_impl::init_plugin_logging(input as usize);
        Ok(())
    }

    fn config_schema() -> ::std::result::Result<String, querymt::guest::Failure> {
        Ok(querymt::plugin::HTTPLLMProviderFactory::config_schema(
            &Factory,
        ))
    }

    fn api_key_name() -> ::std::result::Result<Option<String>, querymt::guest::Failure> {
        Ok(querymt::plugin::HTTPLLMProviderFactory::api_key_name(
            &Factory,
        ))
    }

    fn from_config(
        input: querymt::serde_json::Value,
    ) -> ::std::result::Result<querymt::serde_json::Value, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::from_config::<OpenAICompatible>(input)
    }

    fn list_models_static(
        input: querymt::types::ExtismListModelsRequest,
    ) -> ::std::result::Result<Option<Vec<String>>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::list_models_static(&Factory, input)
    }

    fn list_models_request(
        input: querymt::types::ExtismListModelsRequest,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::list_models_request(&Factory, input)
    }

    fn parse_list_models_response(
        input: querymt::types::ExtismListModelsParseRequest,
    ) -> ::std::result::Result<Vec<String>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_list_models_response(&Factory, input)
    }

    fn chat_request(
        input: querymt::types::ExtismChatRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::chat_request(input)
    }

    fn chat_stream_request(
        input: querymt::types::ExtismChatRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::chat_stream_request(input)
    }

    fn classify_chat_error(
        input: querymt::types::ExtismChatParseRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::PluginError, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::classify_chat_error(input)
    }

    fn parse_chat_response(
        input: querymt::types::ExtismChatParseRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::ExtismChatResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_chat_response(input)
    }

    fn chat_stream_parser_start(
        input: Self::Config,
    ) -> ::std::result::Result<i64, querymt::guest::Failure> {
        let internal = querymt::plugin::extism_impl::adapter::chat_stream_parser_start(input)?;
        Ok(IDS.with(|ids| ids.borrow_mut().open(internal)))
    }

    fn chat_stream_parser_parse(
        input: querymt::types::ExtismChatChunkParseRequest,
    ) -> ::std::result::Result<Vec<querymt::types::ExtismChatChunk>, querymt::guest::Failure> {
        let parser_id = IDS.with(|ids| ids.borrow().internal(input.parser_id));
        querymt::plugin::extism_impl::adapter::chat_stream_parser_parse(
            querymt::types::ExtismChatChunkParseRequest { parser_id, ..input },
        )
    }

    fn chat_stream_parser_finish(
        input: i64,
    ) -> ::std::result::Result<Vec<querymt::types::ExtismChatChunk>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::chat_stream_parser_finish(
            IDS.with(|ids| ids.borrow().internal(input)),
        )
    }

    fn chat_stream_parser_close(input: i64) -> ::std::result::Result<(), querymt::guest::Failure> {
        let internal = IDS.with(|ids| ids.borrow_mut().close(input));
        querymt::plugin::extism_impl::adapter::chat_stream_parser_close(internal)
    }

    fn embed_request(
        input: querymt::types::ExtismEmbedRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::embed_request(input)
    }

    fn parse_embed_response(
        input: querymt::types::ExtismEmbedParseRequest<Self::Config>,
    ) -> ::std::result::Result<Vec<Vec<f32>>, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_embed_response(input)
    }

    fn complete_request(
        input: querymt::types::ExtismCompleteRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::SerializableHttpRequest, querymt::guest::Failure>
    {
        querymt::plugin::extism_impl::adapter::complete_request(input)
    }

    fn parse_complete_response(
        input: querymt::types::ExtismCompleteParseRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::CompletionResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::parse_complete_response(input)
    }

    fn transcribe(
        input: querymt::types::ExtismSttRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::ExtismSttResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::transcribe(input)
    }

    fn speech(
        input: querymt::types::ExtismTtsRequest<Self::Config>,
    ) -> ::std::result::Result<querymt::types::ExtismTtsResponse, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::speech(input)
    }

    fn supports_streaming(
        input: Self::Config,
    ) -> ::std::result::Result<bool, querymt::guest::Failure> {
        querymt::plugin::extism_impl::adapter::supports_streaming(input)
    }
}

#[cfg(not(feature = "bad-json"))]
querymt::register_exports!(HandWritten);

#[cfg(feature = "bad-json")]
const _: () = {
    /// The plugin's display name (`name = ...` in the macro).
    #[no_mangle]
    pub extern "C" fn name() -> i32 {
        querymt::guest::exports::name::<HandWritten>()
    }

    /// The provider's default API base URL (`default_base_url()` of the config).
    #[no_mangle]
    pub extern "C" fn base_url() -> i32 {
        querymt::guest::exports::base_url::<HandWritten>()
    }

    /// Installs the plugin's logger, which forwards records to `qmt_log`.
    #[no_mangle]
    pub extern "C" fn init_logging() -> i32 {
        querymt::guest::exports::init_logging::<HandWritten>()
    }

    /// The JSON Schema of the plugin's configuration.
    #[no_mangle]
    pub extern "C" fn config_schema() -> i32 {
        querymt::guest::exports::config_schema::<HandWritten>()
    }

    /// The environment variable that holds the provider's API key, if it has one.
    #[no_mangle]
    pub extern "C" fn api_key_name() -> i32 {
        querymt::guest::exports::api_key_name::<HandWritten>()
    }

    /// Validates a configuration.
    #[no_mangle]
    pub extern "C" fn from_config() -> i32 {
        querymt::guest::exports::from_config::<HandWritten>()
    }

    /// A fixed model list, for providers whose API has none.
    #[no_mangle]
    pub extern "C" fn list_models_static() -> i32 {
        querymt::guest::exports::list_models_static::<HandWritten>()
    }

    /// Builds the HTTP request that lists models.
    #[no_mangle]
    pub extern "C" fn list_models_request() -> i32 {
        querymt::guest::exports::list_models_request::<HandWritten>()
    }

    /// Reads the model list from a 2xx response.
    #[no_mangle]
    pub extern "C" fn parse_list_models_response() -> i32 {
        querymt::guest::exports::parse_list_models_response::<HandWritten>()
    }

    /// Builds the HTTP request of a chat turn.
    #[no_mangle]
    pub extern "C" fn chat_request() -> i32 {
        querymt::guest::exports::chat_request::<HandWritten>()
    }

    /// Builds the HTTP request of a streamed chat turn.
    #[no_mangle]
    pub extern "C" fn chat_stream_request() -> i32 {
        querymt::guest::exports::chat_stream_request::<HandWritten>()
    }

    /// Turns a non-2xx chat response into a typed error.
    #[no_mangle]
    pub extern "C" fn classify_chat_error() -> i32 {
        querymt::guest::exports::classify_chat_error::<HandWritten>()
    }

    /// Reads the answer from a 2xx chat response.
    #[no_mangle]
    pub extern "C" fn parse_chat_response() -> i32 {
        querymt::guest::exports::parse_chat_response::<HandWritten>()
    }

    /// Creates a stream parser.
    #[no_mangle]
    pub extern "C" fn chat_stream_parser_start() -> i32 {
        querymt::guest::exports::chat_stream_parser_start::<HandWritten>()
    }

    /// Feeds one line of the streamed body to a parser.
    #[no_mangle]
    pub extern "C" fn chat_stream_parser_parse() -> i32 {
        // The fault: a line parsed without error is answered with text that is not JSON.
        let code = querymt::guest::exports::chat_stream_parser_parse::<HandWritten>();
        if code == 0 {
            querymt::guest::runtime::set_output(b"[{\"chunk\": ");
        }
        code
    }

    /// Ends a parser's input and returns what it still holds; the parser is removed.
    #[no_mangle]
    pub extern "C" fn chat_stream_parser_finish() -> i32 {
        querymt::guest::exports::chat_stream_parser_finish::<HandWritten>()
    }

    /// Drops a parser.
    #[no_mangle]
    pub extern "C" fn chat_stream_parser_close() -> i32 {
        querymt::guest::exports::chat_stream_parser_close::<HandWritten>()
    }

    /// Builds the HTTP request of an embedding call.
    #[no_mangle]
    pub extern "C" fn embed_request() -> i32 {
        querymt::guest::exports::embed_request::<HandWritten>()
    }

    /// Reads the vectors from a 2xx embedding response.
    #[no_mangle]
    pub extern "C" fn parse_embed_response() -> i32 {
        querymt::guest::exports::parse_embed_response::<HandWritten>()
    }

    /// Builds the HTTP request of a completion.
    #[no_mangle]
    pub extern "C" fn complete_request() -> i32 {
        querymt::guest::exports::complete_request::<HandWritten>()
    }

    /// Reads the completion from a 2xx response.
    #[no_mangle]
    pub extern "C" fn parse_complete_response() -> i32 {
        querymt::guest::exports::parse_complete_response::<HandWritten>()
    }

    /// Transcribes audio; the plugin does the HTTP itself through `qmt_http_request`.
    #[no_mangle]
    pub extern "C" fn transcribe() -> i32 {
        querymt::guest::exports::transcribe::<HandWritten>()
    }

    /// Synthesizes speech; the plugin does the HTTP itself through `qmt_http_request`.
    #[no_mangle]
    pub extern "C" fn speech() -> i32 {
        querymt::guest::exports::speech::<HandWritten>()
    }

    /// Whether the configured provider streams.
    #[no_mangle]
    pub extern "C" fn supports_streaming() -> i32 {
        querymt::guest::exports::supports_streaming::<HandWritten>()
    }
};
